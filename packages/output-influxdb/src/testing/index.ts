export { LineProtocolParseError, parseLine, parseLines, type ParsedPoint } from './line-protocol-parser';
export { ScriptedFetch, networkFailure, type ScriptedAnswer, type ScriptedRequest } from './scripted-fetch';
