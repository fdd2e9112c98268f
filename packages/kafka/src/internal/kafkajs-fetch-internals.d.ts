// Type declarations for the kafkajs 2.2.4 internals that the fetch decode uses (kafkajs ships declarations for its
// public API only). kafkajs is pinned; kafkajs-fetch-response.spec.ts fails when the shapes declared here change.

declare module 'kafkajs/src/protocol/decoder.js' {
  class Decoder {
    constructor(buffer: Buffer);
    buffer: Buffer;
    offset: number;
    readInt16(): number;
    readInt32(): number;
    readInt64(): { toString(): string };
    readString(): string | null;
    readBytes(length?: number): Buffer | null;
    readVarIntBytes(): Buffer | null;
    canReadBytes(length: number): boolean;
    readArray<T>(reader: (decoder: Decoder) => T): T[];
    readArrayAsync<T>(reader: (decoder: Decoder) => Promise<T>): Promise<T[]>;
  }
  export = Decoder;
}

declare module 'kafkajs/src/protocol/requests/fetch/index.js' {
  interface FetchResponse {
    decode(rawData: Buffer): Promise<unknown>;
    parse(data: unknown): Promise<unknown>;
  }
  const fetch: {
    versions: string[];
    protocol: (options: { version: number }) => ((args: object) => { request: unknown; response: FetchResponse; requestTimeout?: number }) | undefined;
  };
  export = fetch;
}

declare module 'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js' {
  const decodeMessages: (decoder: import('kafkajs/src/protocol/decoder.js')) => Promise<object[]>;
  export = decodeMessages;
}

declare module 'kafkajs/src/protocol/requests/fetch/v11/response.js' {
  const response: { decode(rawData: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
  export = response;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder.js' {
  const decodeRecordBatch: (decoder: import('kafkajs/src/protocol/decoder.js')) => Promise<{ records: object[] }>;
  export = decodeRecordBatch;
}

declare module 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js' {
  const decodeRecord: (decoder: import('kafkajs/src/protocol/decoder.js'), batchContext: object) => object;
  export = decodeRecord;
}

declare module 'kafkajs/src/network/connection.js' {
  class Connection {
    socketFactory: import('kafkajs').ISocketFactory;
    send(protocol: object): Promise<unknown>;
  }
  export = Connection;
}

declare module 'kafkajs/src/network/socketFactory.js' {
  const defaultSocketFactory: () => import('kafkajs').ISocketFactory;
  export = defaultSocketFactory;
}
