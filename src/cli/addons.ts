import { parseArgs } from 'node:util'
import { InputError, oneOf } from '../errors.js'
import { readKernelConfig } from '../check/read-config.js'
import { ADDONS_READERS } from '../addons/open-addons.js'
import { describeAddons, prepareAddons } from '../addons/prepare-addons.js'
import { escaped, type CliIo } from './io.js'

export const ADDONS_USAGE = `usage: kernel-action addons --image bzImage (--addons addons.squashfs | --modules DIR --output addons.squashfs)
                            [--config .config] [--reader auto|in-process|unsquashfs]
exit status: 0 the addons hold modules/ for the image's release, 2 usage or input error`

/**
 * `kernel-action addons`: checks addons.squashfs against a kernel image (modules/ at its top with modules.dep, modules
 * of the image's release), or builds it from the INSTALL_MOD_PATH `--modules` into `--output` and checks that.
 * With `--config`, a kernel with CONFIG_MODULES unset may have addons without modules/.
 */
export async function addonsCommand(args: string[], io: CliIo): Promise<number> {
  const write = escaped(io).out
  const { values } = parseArgs({
    args,
    options: {
      image: { type: 'string' },
      addons: { type: 'string' },
      modules: { type: 'string' },
      output: { type: 'string' },
      config: { type: 'string' },
      reader: { type: 'string', default: 'auto' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (!values.image) throw new InputError('--image bzImage is required')
  if (!values.addons === !values.modules) throw new InputError('give one of --addons FILE or --modules DIR')
  if (values.modules && !values.output) throw new InputError('--modules needs --output FILE (where addons.squashfs is built)')
  if (values.addons && values.output) throw new InputError('--output goes with --modules (--addons is only read)')
  const config = values.config ? await readKernelConfig(values.config, '--config') : undefined
  const prepared = await prepareAddons({
    image: values.image,
    addons: values.addons,
    modules: values.modules,
    output: values.output ?? '',
    // Without a config, module support is assumed: addons without modules/ are then refused.
    modular: config === undefined || config.entries.get('CONFIG_MODULES')?.state === 'y',
    reader: oneOf('--reader', values.reader ?? 'auto', ADDONS_READERS),
  })
  if (prepared) write(describeAddons(prepared))
  return 0
}
