// A client-rendered app: the server only serves files, and all data comes from the API.
export const ssr = false;
export const prerender = false;
