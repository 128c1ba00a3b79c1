import baseConfig, { packageJsonChecks } from '../../eslint.config.mjs';

// hal-linux is the one package that may do I/O (serial ports, SocketCAN, the file system).
export default [...baseConfig, ...packageJsonChecks];
