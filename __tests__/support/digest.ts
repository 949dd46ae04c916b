// The tests' one way to name bytes by their SHA-256, written without the code under test (an independent reader).
import { createHash } from 'node:crypto'
import fs from 'node:fs'

/** Lowercase hex, as a blob's file name under `blobs/sha256/`. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** `sha256:<hex>`, as a descriptor, a diff_id or KERNEL_CONFIG names it. */
export function sha256Digest(data: string | Buffer): string {
  return `sha256:${sha256Hex(data)}`
}

/** The hex SHA-256 of a (small) file's bytes. */
export function fileSha256Hex(file: string): string {
  return sha256Hex(fs.readFileSync(file))
}
