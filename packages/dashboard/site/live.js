/*
 * The event stream (GET /api/stream): `status` snapshots and `fault` events. EventSource retries
 * by itself after a dropped connection; when the server refuses the stream (an HTTP error), it
 * gives up, so this reconnects by hand after `retryMs`. `onState` gets 'connecting', 'live' or
 * 'reconnecting' for the page's connection badge.
 */
export function connectLive({ url = '/api/stream', onStatus, onFault, onState, retryMs = 3000 }) {
  let source = null;
  let retry = null;
  let stopped = false;

  const open = () => {
    source = new EventSource(url);
    source.addEventListener('open', () => onState('live'));
    source.addEventListener('status', (e) => onStatus(JSON.parse(e.data)));
    source.addEventListener('fault', (e) => onFault(JSON.parse(e.data)));
    source.addEventListener('error', () => {
      onState('reconnecting');
      if (source.readyState === EventSource.CLOSED && !stopped) {
        source = null;
        retry = setTimeout(open, retryMs);
      }
    });
  };

  onState('connecting');
  open();
  return {
    close() {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    },
  };
}
