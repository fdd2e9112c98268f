import type { Admin, Kafka } from 'kafkajs';

/** A kafkajs admin client connected on first use; after a failed connect the next call tries again. */
export class LazyAdmin {
  readonly #kafka: Kafka;
  #admin: Promise<Admin> | undefined;

  constructor(kafka: Kafka) {
    this.#kafka = kafka;
  }

  /** The connected admin client. */
  get(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })();
    this.#admin.catch(() => {
      this.#admin = undefined;
    });
    return this.#admin;
  }

  /** Disconnects the admin client if one was connected; never rejects. */
  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    if (admin) await admin.then((a) => a.disconnect()).catch(() => undefined);
  }
}
