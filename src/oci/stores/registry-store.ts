// A registry repository as an image store: the registry client's reads, each blob stream checked by the one verifying
// stream. Built around an existing client, so a publish reads back through the client it pushed with.
import type { Readable } from 'node:stream'
import { IntegrityError } from '../../errors.js'
import { verifiedStream } from '../digest.js'
import { RegistryClient, RegistryError, type RegistryClientOptions } from '../registry/client.js'
import type { RepositoryRef } from '../reference.js'
import { assertReadable, declaredMediaType, type FetchedDocument, type ImageStore } from '../store.js'
import type { Descriptor } from '../types.js'

export class RegistryStore implements ImageStore {
  readonly name: string
  readonly kind = 'registry'
  constructor(readonly client: RegistryClient) {
    this.name = `${client.registry}/${client.repository}`
  }

  static open(repository: RepositoryRef, options: RegistryClientOptions): RegistryStore {
    return new RegistryStore(new RegistryClient(repository, options))
  }

  async fetchManifest(reference: string): Promise<FetchedDocument | undefined> {
    try {
      const fetched = await this.client.getManifest(reference)
      return { bytes: fetched.bytes, digest: fetched.digest, mediaType: fetched.mediaType || declaredMediaType(fetched.bytes) }
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined
      throw error
    }
  }

  async readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    assertReadable(this.name, descriptor, maxBytes)
    const bytes = await this.client.getBlob(descriptor.digest, maxBytes)
    if (bytes.length !== descriptor.size) {
      throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${bytes.length} bytes, its descriptor says ${descriptor.size}`)
    }
    return bytes
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return verifiedStream(await this.client.getBlobStream(descriptor.digest), descriptor, this.name)
  }
}
