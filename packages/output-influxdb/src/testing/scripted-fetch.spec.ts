import { ManualClock } from '@tsbms/hal';
import { networkFailure, ScriptedFetch } from './scripted-fetch';

describe('ScriptedFetch', () => {
  it('records each request and answers from the script, then with the standing answer (204 by default)', async () => {
    const clock = new ManualClock(5000);
    const fake = new ScriptedFetch(clock).answerNext({ status: 400, body: 'no', headers: { 'x-a': '1' } });
    const first = await fake.fetch('http://h/a', { method: 'POST', headers: { 'X-Token': 't' }, body: 'x' });
    expect([first.status, await first.text(), first.headers.get('x-a')]).toEqual([400, 'no', '1']);
    const second = await fake.fetch(new URL('http://h/b'));
    expect(second.status).toBe(204);
    fake.answerAlways({ status: 200 });
    expect(
      (await fake.fetch(new Request('http://h/c', { method: 'PUT', headers: { 'x-b': '2' } }))).status,
    ).toBe(200);
    expect(fake.requests).toEqual([
      { url: 'http://h/a', method: 'POST', headers: { 'x-token': 't' }, body: 'x', atMs: 5000 },
      { url: 'http://h/b', method: 'GET', headers: {}, body: '', atMs: 5000 },
      { url: 'http://h/c', method: 'PUT', headers: { 'x-b': '2' }, body: '', atMs: 5000 },
    ]);
    expect(new ScriptedFetch().answerNext({ status: 204 }).requests).toEqual([]);
  });

  it('fails as Node’s fetch does on the network', async () => {
    const fake = new ScriptedFetch().answerNext({ fail: networkFailure('EHOSTUNREACH') });
    await expect(fake.fetch('http://h/')).rejects.toMatchObject({
      name: 'TypeError',
      message: 'fetch failed',
      cause: { code: 'EHOSTUNREACH' },
    });
  });

  it('hangs until the request is aborted, counting it in flight meanwhile', async () => {
    const fake = new ScriptedFetch().answerAlways('hang');
    const abort = new AbortController();
    const pending = fake.fetch('http://h/', { signal: abort.signal });
    void fake.fetch('http://h/'); // no signal: never settles
    expect([fake.inFlight, fake.maxInFlight]).toEqual([2, 2]);
    abort.abort(new Error('timed out'));
    await expect(pending).rejects.toThrow('timed out');
    expect(fake.inFlight).toBe(1);
    await expect(
      fake.fetch('http://h/', { signal: AbortSignal.abort(new Error('already')) }),
    ).rejects.toThrow('already');
  });
});
