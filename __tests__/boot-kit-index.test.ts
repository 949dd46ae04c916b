// kit.json, the boot kit's index: every path it names is checked to stay inside the kit before anything opens it.
import { describe, expect, it } from '@jest/globals'
import { kitFiles, packagesAnnotation, parseKitIndex } from '../src/boot/kit-contents.js'
import { defaultBootKit } from '../src/boot/kit-pinned.js'
import { checkKitReference } from '../src/boot/kit-oci-adapter.js'

const modules = Object.fromEntries(
  ['xen-evtchn', 'xen-gntdev', 'xen-gntalloc', 'xen-privcmd', 'xenfs', 'loop', 'xen-blkback'].map((m) => [m, `dom0/modules/${m}.ko`]),
)
const good = {
  format: 1,
  arch: 'x86_64',
  xen: 'xen',
  dom0Kernel: 'dom0/vmlinuz',
  dom0Modules: modules,
  xenBinDir: '/usr/lib/xen-4.17/bin',
  xenPrograms: ['rootfs/usr/lib/xen-4.17/bin/xl'],
  xenstoreClient: 'rootfs/usr/bin/xenstore',
  libraries: [{ name: '/lib64/ld-linux-x86-64.so.2', file: 'rootfs/lib64/ld-linux-x86-64.so.2' }],
  busybox: 'busybox',
  rootImage: 'guest/root.squashfs',
  emptyAddons: 'guest/empty-addons.squashfs',
}
const parse = (change: Record<string, unknown>) => () => parseKitIndex(JSON.stringify({ ...good, ...change }), 'kit')

describe('kit.json', () => {
  it('reads a well-formed index and lists every file it names', () => {
    const kit = parseKitIndex(JSON.stringify(good), 'kit')
    expect(kitFiles(kit)).toHaveLength(7 + 8)
    expect(kit.libraries).toEqual(good.libraries)
  })

  it.each([
    [{ xen: '../xen' }, 'kit: kit.json xen: "../xen" is not a path inside the kit'],
    [{ xen: '/boot/xen' }, 'kit: kit.json xen: "/boot/xen" is not a path inside the kit'],
    [{ busybox: 'bin/./busybox' }, 'kit: kit.json busybox: "bin/./busybox" is not a path inside the kit'],
    [{ dom0Modules: { ...modules, loop: undefined } }, 'kit: kit.json dom0Modules.loop: undefined is not a path inside the kit'],
    [{ xenBinDir: 'usr/lib/xen/bin' }, 'kit: kit.json xenBinDir: "usr/lib/xen/bin" is not an absolute dom0 path'],
    [
      { libraries: [{ name: '/lib/../etc/shadow', file: 'x' }] },
      'kit: kit.json libraries[0].name: "/lib/../etc/shadow" is not an absolute dom0 path',
    ],
    [{ format: 2 }, 'kit: kit.json has format 2; this kernel-action reads format 1 (use the kit its boot-kit default names)'],
    [{ arch: 'riscv64' }, 'kit: kit.json names no known arch ("riscv64")'],
  ])('refuses %j', (change, message) => {
    expect(parse(change)).toThrow(message)
  })

  it('records packages as sorted name=version lines, each once', () => {
    expect(
      packagesAnnotation([
        { name: 'xen-utils-4.17', version: '4.17.7' },
        { name: 'libc6', version: '2.36-9' },
        { name: 'libc6', version: '2.36-9' },
      ]),
    ).toBe('libc6=2.36-9\nxen-utils-4.17=4.17.7')
  })
})

describe('boot-kit references', () => {
  it('pins each architecture by digest in the kit repository', () => {
    expect(defaultBootKit('x86_64')).toMatch(/^ghcr\.io\/krata\/kernel-action-boot-kit@sha256:[0-9a-f]{64}$/)
    expect(defaultBootKit('aarch64')).toMatch(/^ghcr\.io\/krata\/kernel-action-boot-kit@sha256:[0-9a-f]{64}$/)
    expect(defaultBootKit('aarch64')).not.toBe(defaultBootKit('x86_64'))
  })

  it('takes a registry reference or oci:<layout>, and refuses a password in it in one line', () => {
    expect(checkKitReference('')).toBe('')
    expect(checkKitReference('oci:/srv/kit:x86_64')).toBe('oci:/srv/kit:x86_64')
    expect(checkKitReference('mirror.example/kit@sha256:' + 'a'.repeat(64))).toBe('mirror.example/kit@sha256:' + 'a'.repeat(64))
    expect(() => checkKitReference('user:secret@mirror.example/kit')).toThrow(/^boot-kit: image reference: must not include a user name or password/)
    expect(() => checkKitReference('mirror.example/kit@sha256:abc')).toThrow(
      'boot-kit: image reference "mirror.example/kit@sha256:abc": "sha256:abc" is not a sha256:<64 hex> digest',
    )
  })
})
