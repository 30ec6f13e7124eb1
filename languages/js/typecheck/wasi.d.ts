// Ambient declarations of the wasi:* modules ComponentizeJS provides at build time, so that
// `tsc` can check the SDK's JavaScript (tsconfig.sdk.json). Typed loosely on purpose: the
// bindings' shapes are checked on a real host by the conformance columns.
declare module 'wasi:*' {
  export const RequestOptions: any;
  export const Fields: any;
  export const OutgoingRequest: any;
  export const OutgoingResponse: any;
  export const OutgoingBody: any;
  export const IncomingBody: any;
  export const ResponseOutparam: any;
  export const httpErrorCode: any;
  export const handle: any;
  export const poll: any;
  export const subscribeDuration: any;
}
