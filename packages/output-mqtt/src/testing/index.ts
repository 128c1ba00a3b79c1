export { moduleFixture, statusFixture } from './status-fixture';
export {
  commandErrorOf,
  TEST_COMMAND_TOKEN,
  TestCommandRunner,
  testCommand,
  testCommandsSection,
} from './test-commands';
export { connected, describeStatus, startOutputInScope } from './output-in-scope';
