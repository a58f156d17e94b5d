/** snappyjs ships no types: the two functions used (snappy block format, https://github.com/google/snappy/blob/main/format_description.txt). */
declare module 'snappyjs' {
  const SnappyJS: {
    compress(input: Uint8Array): Uint8Array;
    uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  };
  export default SnappyJS;
}
