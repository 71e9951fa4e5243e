/** Where the OpenID Provider's endpoints live, relative to the issuer: the routes and the discovery documents both use these. */
export const providerPaths = Object.freeze({
  authorization: '/oauth2/authorize',
  /** RFC 9126 pushed authorization requests. */
  pushedAuthorizationRequest: '/oauth2/par',
  userinfo: '/oauth2/userinfo',
  endSession: '/end-session',
});
