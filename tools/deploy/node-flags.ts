/**
 * Node flags of the production daemon: the deploy package's `npm start`, the systemd unit and the
 * footprint benchmark use these (a check compares them). The reasons, measured with
 * `npm run bench`, are in apps/controller/README.md ("Footprint").
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = ['--optimize-for-size'];
