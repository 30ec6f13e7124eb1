package {{ package }}

import (
	"context"
	"runtime"
	"sync"

	clock "{{ module }}/internal/wit/imports/wasi_clocks_monotonic_clock"
	poll "{{ module }}/internal/wit/imports/wasi_io_poll"
)

// Waiting for the host without stopping other goroutines.
//
// Stock Go on wasip1 runs every goroutine on one thread, so a host call that blocks (a
// pollable's block, a blocking read) stops them all: two goroutines sending requests would
// take turns. Instead, a goroutine that must wait parks its pollable here and sleeps on a
// channel, and one poller goroutine blocks in wasi:io/poll.poll for every parked pollable at
// once, after letting every runnable goroutine run (and park what it waits for) first.

// pollTick bounds how long the poller blocks: a goroutine that becomes runnable by other
// means than the SDK (a channel, a timer) while the thread is in poll waits at most this.
const pollTick = 10_000_000 // 10 ms in nanoseconds

type parked struct {
	pollable *poll.Pollable
	ready    chan struct{}
}

var waiting struct {
	sync.Mutex
	parked []parked
	// polling is true while a poller goroutine runs.
	polling bool
}

// await returns once pollable is ready, letting other goroutines run meanwhile, or with
// ctx's error once ctx is done first. It drops pollable either way.
func await(ctx context.Context, pollable *poll.Pollable) error {
	defer pollable.Drop()
	if err := ctx.Err(); err != nil {
		return err
	}
	if pollable.Ready() {
		return nil
	}
	ready := make(chan struct{})
	waiting.Lock()
	waiting.parked = append(waiting.parked, parked{pollable, ready})
	if !waiting.polling {
		waiting.polling = true
		go pollParked()
	}
	waiting.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		// The pollable is dropped on return: it must not stay in the poll set.
		waiting.Lock()
		for i, p := range waiting.parked {
			if p.ready == ready {
				waiting.parked = append(waiting.parked[:i], waiting.parked[i+1:]...)
				break
			}
		}
		waiting.Unlock()
		return ctx.Err()
	}
}

// pollParked blocks in poll for every parked pollable and wakes the goroutines whose
// pollable is ready, until none is parked.
func pollParked() {
	for {
		// Goroutines are not preempted on wasm: yielding lets each runnable one run until
		// it parks (or blocks otherwise) before the whole thread blocks in poll.
		runtime.Gosched()
		// Both may let other goroutines run (pauseGC waits out a collection in progress), so
		// they come before the list is read: from the read to the end of poll the lock is
		// held, and a goroutine whose context ends cannot leave the list and drop its
		// pollable while poll still holds it.
		tick := clock.SubscribeDuration(pollTick)
		resume := pauseGC()
		waiting.Lock()
		if len(waiting.parked) == 0 {
			waiting.polling = false
			waiting.Unlock()
			resume()
			tick.Drop()
			return
		}
		pollables := make([]*poll.Pollable, len(waiting.parked), len(waiting.parked)+1)
		for i, p := range waiting.parked {
			pollables[i] = p.pollable
		}
		readyIndices := append([]uint32(nil), poll.Poll(append(pollables, tick))...)
		resume()
		tick.Drop()

		isReady := make(map[*poll.Pollable]bool, len(readyIndices))
		for _, i := range readyIndices {
			if int(i) < len(pollables) {
				isReady[pollables[i]] = true
			}
		}
		kept := waiting.parked[:0]
		for _, p := range waiting.parked {
			if isReady[p.pollable] {
				close(p.ready)
			} else {
				kept = append(kept, p)
			}
		}
		waiting.parked = kept
		waiting.Unlock()
	}
}
