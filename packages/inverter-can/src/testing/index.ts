export { victronBmsSnapshot } from './snapshot-fixture';
