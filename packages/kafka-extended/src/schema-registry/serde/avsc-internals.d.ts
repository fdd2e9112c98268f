// avsc 5 ships lib/utils.js without types. Only the cursor class is used (see avro-cursor.ts).
declare module 'avsc/lib/utils.js' {
  const utils: {
    readonly Tap?: new (buf: Buffer, pos?: number) => { buf: Buffer; pos: number };
  };
  export default utils;
}
