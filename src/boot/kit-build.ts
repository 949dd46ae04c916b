// `npm run boot-kit -- <layout-dir> [--arch x86_64|aarch64]`: the boot kit of one architecture, built from Debian's
// packages (apt-get download + dpkg-deb -x through scripts/debian-package.sh; nothing is installed) into an OCI image
// layout tagged with the arch. Runs on a Debian build machine (apt, dpkg-deb, readelf, mksquashfs, tar, gzip); the
// machines that boot from the kit need none of these. The same packages always give the same digest.
import { execFile } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGunzip } from 'node:zlib'
import { archNames, type KernelArch } from '../arch.js'
import { InternalError, ToolError } from '../errors.js'
import { actionScript, cacheDir } from './places.js'
import { kernelModulesBelow } from './module-files.js'
import { DOM0_MODULES, type Dom0Module } from './dom0-bringup.js'
import { ROOT_IMAGE_DIRS } from './plan.js'
import { KIT_FORMAT, KIT_INDEX, kitPackages, XEN_PROGRAMS, type KitIndex, type KitLibrary } from './kit-contents.js'
import { writeKitImage } from './kit-oci-adapter.js'

const run = promisify(execFile)

export interface DebianPackage {
  name: string
  version: string
  arch: string
  /** Where scripts/debian-package.sh unpacked it. */
  dir: string
}

export interface BuiltKit {
  arch: KernelArch
  /** The manifest's digest: what a pin names. */
  digest: string
  /** Bytes of the (compressed) layer: what a runner downloads. */
  layerBytes: number
  packages: DebianPackage[]
}

/** Builds the kit for `arch` into the OCI layout `layoutDir`, tagged `arch`. */
export async function buildBootKit(layoutDir: string, arch: KernelArch, log: (line: string) => void = () => undefined): Promise<BuiltKit> {
  const deb = archNames(arch).oci
  log(`boot-kit: fetching ${kitPackages(arch).length} Debian packages (${deb})`)
  const packages = await debianPackages(kitPackages(arch).map((p) => `${p}:${deb}`))
  const stage = await mkdtemp(path.join(tmpdir(), 'kernel-action-kit-'))
  try {
    const kit = await assemble(stage, arch, packages)
    await writeFile(path.join(stage, KIT_INDEX), `${JSON.stringify(kit, null, 2)}\n`)
    const layer = await deterministicTarGz(stage)
    try {
      const written = await writeKitImage(layoutDir, { arch, tarFile: layer.tar, gzFile: layer.gz, packages })
      log(`boot-kit: ${layoutDir}:${arch} is ${written.digest} (layer ${written.layerBytes} bytes)`)
      return { arch, digest: written.digest, layerBytes: written.layerBytes, packages }
    } finally {
      await rm(layer.dir, { recursive: true, force: true })
    }
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}

/** scripts/debian-package.sh, once for every package (apt's lists read once; its cache makes a rebuild download nothing). */
async function debianPackages(specs: readonly string[]): Promise<DebianPackage[]> {
  let stdout: string
  try {
    stdout = (
      await run('bash', [actionScript('debian-package.sh'), ...specs], {
        maxBuffer: 1 << 20,
        env: { ...process.env, KERNEL_ACTION_CACHE: cacheDir() },
      })
    ).stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(error)
    throw new ToolError(`boot-kit: cannot fetch Debian's packages: ${stderr}`)
  }
  const dirs = stdout.trim().split('\n')
  if (dirs.length !== specs.length) throw new InternalError(`debian-package.sh printed ${dirs.length} folders for ${specs.length} packages`)
  return dirs.map((dir) => {
    // debian-package.sh names its folders <package>_<version, ':' as %3a>_<arch>.
    const m = /^(.+)_([^_]+)_([^_]+)$/.exec(path.basename(dir))
    if (!m) throw new InternalError(`debian-package.sh printed ${JSON.stringify(dir)}, not a <package>_<version>_<arch> folder`)
    return { name: m[1], version: m[2].replace(/%3a/g, ':'), arch: m[3], dir }
  })
}

/** Copies every piece into `stage` and returns kit.json's data. */
async function assemble(stage: string, arch: KernelArch, packages: readonly DebianPackage[]): Promise<KitIndex> {
  const pkg = (prefix: string): DebianPackage => {
    const p = packages.find((x) => x.name.startsWith(prefix))
    if (!p) throw new InternalError(`boot-kit: no ${prefix}* among the fetched packages`)
    return p
  }
  const put = async (source: string, relative: string): Promise<string> => {
    const target = path.join(stage, relative)
    await mkdir(path.dirname(target), { recursive: true })
    await copyFile(source, target)
    return relative
  }
  const deb = archNames(arch).oci

  // x86: QEMU's multiboot loader wants Xen's ELF, Debian ships it gzipped; arm64's is already an Image.
  const hypervisor = pkg('xen-hypervisor-')
  const xenFile = await only(path.join(hypervisor.dir, 'boot'), new RegExp(`^xen-4\\.\\d+-${deb}(\\.gz)?$`), hypervisor.name)
  const xen = 'xen'
  if (xenFile.endsWith('.gz')) await pipeline(createReadStream(xenFile), createGunzip(), createWriteStream(path.join(stage, xen)))
  else await put(xenFile, xen)

  const kernelPackage = pkg('linux-image-')
  const vmlinuz = await only(path.join(kernelPackage.dir, 'boot'), /^vmlinuz-/, kernelPackage.name)
  const dom0Kernel = await put(vmlinuz, 'dom0/vmlinuz')
  const modules = await kernelModulesBelow(['lib/modules', 'usr/lib/modules'].map((lib) => path.join(kernelPackage.dir, lib)))
  const dom0Modules = {} as Record<Dom0Module, string>
  for (const m of DOM0_MODULES) {
    const source = modules.get(m)
    if (!source) throw new ToolError(`boot-kit: ${kernelPackage.name} has no ${m}.ko (compressed modules are not supported)`)
    dom0Modules[m] = await put(source, `dom0/modules/${m}.ko`)
  }

  const utils = pkg('xen-utils-')
  const xenLib = (await readdir(path.join(utils.dir, 'usr/lib'))).filter((d) => /^xen-4\.\d+$/.test(d)).sort()
  if (xenLib.length === 0) throw new ToolError(`boot-kit: ${utils.name} has no usr/lib/xen-4.*`)
  const xenBinDir = `/usr/lib/${xenLib[xenLib.length - 1]}/bin`
  const xenPrograms: string[] = []
  for (const p of XEN_PROGRAMS) xenPrograms.push(await put(path.join(utils.dir, xenBinDir, p), `rootfs${xenBinDir}/${p}`))
  const xenstoreClient = await put(path.join(pkg('xenstore-utils').dir, 'usr/bin/xenstore-write'), 'rootfs/usr/bin/xenstore')
  const busybox = await put(path.join(pkg('busybox-static').dir, 'bin/busybox'), 'busybox')

  const libraries: KitLibrary[] = []
  for (const lib of await neededLibraries(
    xenPrograms.map((p) => path.join(stage, p)).concat(path.join(stage, xenstoreClient)),
    packages.map((p) => p.dir),
  )) {
    libraries.push({ name: lib.name, file: await put(lib.source, `rootfs${lib.name}`) })
  }

  const rootImage = await squashfs(stage, 'root', ROOT_IMAGE_DIRS)
  const emptyAddons = await squashfs(stage, 'empty-addons', [])
  return {
    format: KIT_FORMAT,
    arch,
    xen,
    dom0Kernel,
    dom0Modules,
    xenBinDir,
    xenPrograms,
    xenstoreClient,
    libraries,
    busybox,
    rootImage,
    emptyAddons,
  }
}

async function only(dir: string, name: RegExp, pkgName: string): Promise<string> {
  const found = (await readdir(dir).catch(() => [] as string[])).filter((f) => name.test(f)).sort()
  if (found.length === 0) throw new ToolError(`boot-kit: ${pkgName} has no ${name.source} in ${dir}`)
  return path.join(dir, found[found.length - 1])
}

/**
 * The shared libraries `programs` need: their DT_NEEDED closure (readelf reads any architecture's ELF), looked up in
 * the unpacked packages, never on this host; plus the program interpreter (PT_INTERP) and libgcc_s, which glibc loads
 * at run time for pthread_cancel (without it `xl create` aborts). Libraries go to /lib/<triplet>/, which the loader
 * searches without an ld.so.cache.
 */
async function neededLibraries(programs: readonly string[], packageDirs: readonly string[]): Promise<{ name: string; source: string }[]> {
  const bySoname = new Map<string, { dir: string; file: string }>()
  const index = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) await index(p)
      else if (/\.so(\.\d+)*$/.test(e.name) && !bySoname.has(e.name)) bySoname.set(e.name, { dir: path.basename(dir), file: p })
    }
  }
  for (const dir of packageDirs) for (const lib of ['lib', 'usr/lib', 'lib64']) await index(path.join(dir, lib))
  const needed = new Set<string>(['libgcc_s.so.1'])
  const pending = [...programs]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const soname of (await readelf(['-d', file])).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
      if (needed.has(soname[1])) continue
      const found = bySoname.get(soname[1])
      if (!found) throw new ToolError(`boot-kit: ${path.basename(file)} needs ${soname[1]}, which none of the fetched Debian packages holds`)
      needed.add(soname[1])
      pending.push(found.file)
    }
  }
  const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(await readelf(['-l', programs[0]]))?.[1]
  if (!interp) throw new ToolError(`boot-kit: ${programs[0]} names no program interpreter`)
  const triplet = bySoname.get('libc.so.6')?.dir
  if (!triplet) throw new ToolError('boot-kit: no libc.so.6 in the fetched libc6 package')
  const source = (soname: string): string => {
    const found = bySoname.get(soname)
    if (!found || !existsSync(found.file)) throw new ToolError(`boot-kit: ${soname} is in none of the fetched Debian packages`)
    return found.file
  }
  const libs = [...needed].sort().map((soname) => ({ name: `/lib/${triplet}/${soname}`, source: source(soname) }))
  return [...libs, { name: interp, source: source(path.basename(interp)) }]
}

async function readelf(args: string[]): Promise<string> {
  try {
    return (await run('readelf', ['-W', ...args], { maxBuffer: 8 << 20 })).stdout
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ToolError('boot-kit: readelf not found; install binutils')
    throw new ToolError(`boot-kit: readelf ${args.join(' ')} failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`)
  }
}

/** The guest's fixed disk images, made once here so that booting needs no mksquashfs (same flags as run-boot.ts). */
async function squashfs(stage: string, name: string, dirs: readonly string[]): Promise<string> {
  const tree = await mkdtemp(path.join(tmpdir(), `kernel-action-kit-${name}-`))
  try {
    for (const d of dirs) await mkdir(path.join(tree, d), { recursive: true })
    const relative = `guest/${name}.squashfs`
    await mkdir(path.join(stage, 'guest'), { recursive: true })
    const flags = ['-noappend', '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-quiet', '-no-progress']
    await run('mksquashfs', [tree, path.join(stage, relative), ...flags]).catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new ToolError(
        error.code === 'ENOENT' ? 'boot-kit: mksquashfs not found; install squashfs-tools' : `boot-kit: mksquashfs failed: ${error.stderr?.trim()}`,
      )
    })
    return relative
  } finally {
    await rm(tree, { recursive: true, force: true })
  }
}

/**
 * The layer: a tar whose bytes depend on the files' bytes alone (sorted names, fixed time, owner 0, modes 0644/0755),
 * gzipped without a name or time; both are kept (the plain tar's digest is the config's diff_id).
 */
async function deterministicTarGz(stage: string): Promise<{ dir: string; tar: string; gz: string }> {
  const out = await mkdtemp(path.join(tmpdir(), 'kernel-action-kit-layer-'))
  const tar = path.join(out, 'layer.tar')
  const gz = `${tar}.gz`
  await normaliseModes(stage)
  const entries = (await readdir(stage)).sort()
  const tarFlags = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--format=gnu', '--hard-dereference']
  try {
    await run('tar', [...tarFlags, '-C', stage, '-cf', tar, ...entries])
    await run('sh', ['-c', 'gzip -n -6 -c "$1" > "$2"', 'gzip', tar, gz])
  } catch (error) {
    throw new ToolError(`boot-kit: packing the layer failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`)
  }
  return { dir: out, tar, gz }
}

/** Programs and libraries 0755, everything else 0644, directories 0755: nothing of the build machine's umask leaks in. */
async function normaliseModes(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) {
      await chmod(p, 0o755)
      await normaliseModes(p)
    } else {
      await chmod(p, (await stat(p)).mode & 0o111 ? 0o755 : 0o644)
    }
  }
}
