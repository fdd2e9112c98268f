/** `application/x-www-form-urlencoded` encoding of one value (spaces as `+`), as RFC 6749 Appendix B requires. */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The `Authorization: Basic` value of RFC 6749 §2.3.1: form-encode id and secret, join with `:`, base64. */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}
