import { setFlagsFromString } from 'node:v8'

// Keep V8's heap small (it otherwise reserves ~30 MB more than it uses once a push starts): peak memory stays
// flat and low whatever the kernel's size. Set before the action's modules load, hence the dynamic import.
setFlagsFromString('--optimize-for-size')
const { run } = await import('./main.js')
await run()
