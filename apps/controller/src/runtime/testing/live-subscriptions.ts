import { Observable, type Subscriber, type Subscription } from 'rxjs';

/** The count of open RxJS subscriptions, and how to stop counting. */
export interface LiveSubscriptions {
  /** Subscriptions made since counting began and not yet closed (unsubscribed, completed or errored). */
  count(): number;
  stop(): void;
}

/**
 * Counts every subscription made through RxJS in this test's module registry, which the code
 * under test shares (one `rxjs` for the whole workspace): operators subscribe to their sources
 * the same way, so a chain leaked anywhere, or a subscribe never undone, shows as a count that
 * grows. A subscription that is already closed when it returns counts in and out at once.
 */
export function countLiveSubscriptions(): LiveSubscriptions {
  const subscribe = Observable.prototype.subscribe;
  let live = 0;
  Observable.prototype.subscribe = function (
    this: Observable<unknown>,
    ...args: Parameters<typeof subscribe>
  ): Subscription {
    const subscription = subscribe.apply(this, args) as Subscriber<unknown> | Subscription;
    live += 1;
    subscription.add(() => (live -= 1));
    return subscription;
  } as typeof subscribe;
  return {
    count: () => live,
    stop: () => {
      Observable.prototype.subscribe = subscribe;
    },
  };
}
