//! At most `per_session` upstream calls at once for one session's fan-out pages (the fleet
//! board asks for several per application): a big fleet waits its turn instead of flooding
//! the upstream from one browser. Waiting calls go in the order of their tickets, not of
//! their arrival: the board's first organisation is served first, so it shows first.

use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The gates of the sessions.
#[derive(Clone)]
pub struct FanOut {
    sessions: moka::future::Cache<String, Arc<Gate>>,
    per_session: usize,
}

impl FanOut {
    /// `per_session` calls at once per session, kept for sessions seen within 10 minutes.
    pub fn new(per_session: usize) -> Self {
        Self {
            sessions: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(std::time::Duration::from_secs(600))
                .build(),
            per_session: per_session.max(1),
        }
    }

    /// The gate of session `id` (a gate of its own for a request without a session id).
    pub async fn for_session(&self, id: Option<String>) -> Arc<Gate> {
        let fresh = || Arc::new(Gate::new(self.per_session));
        match id {
            Some(id) => self.sessions.get_with(id, async { fresh() }).await,
            None => fresh(),
        }
    }
}

impl Default for FanOut {
    fn default() -> Self {
        Self::new(8)
    }
}

/// A bounded number of places, given to the waiting calls smallest ticket first.
pub struct Gate {
    state: Mutex<State>,
}

struct State {
    free: usize,
    waiting: BinaryHeap<Waiter>,
    arrivals: u64,
}

/// A waiting call: served by `(ticket, arrival)`, smallest first.
struct Waiter {
    ticket: u64,
    arrival: u64,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Waiter {
    fn eq(&self, other: &Self) -> bool {
        (self.ticket, self.arrival) == (other.ticket, other.arrival)
    }
}
impl Eq for Waiter {}
impl PartialOrd for Waiter {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Waiter {
    /// Reversed: the heap's top is the smallest ticket.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.ticket, other.arrival).cmp(&(self.ticket, self.arrival))
    }
}

/// A place, given back when dropped.
pub struct Place {
    gate: Arc<Gate>,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.gate.release();
    }
}

/// A call waiting for a place; dropped while waiting, it gives back a place it was handed.
struct Waiting {
    gate: Arc<Gate>,
    handed: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if let Some(mut rx) = self.handed.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.gate.release();
            }
        }
    }
}

impl Gate {
    /// A gate of `places`.
    pub fn new(places: usize) -> Self {
        Self {
            state: Mutex::new(State {
                free: places.max(1),
                waiting: BinaryHeap::new(),
                arrivals: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for a call of `ticket`: at once when one is free and no smaller ticket waits.
    pub async fn enter(self: &Arc<Self>, ticket: u64) -> Place {
        let rx = {
            let mut s = self.lock();
            if s.free > 0 && s.waiting.peek().is_none_or(|w| w.ticket > ticket) {
                s.free -= 1;
                return Place {
                    gate: Arc::clone(self),
                };
            }
            let (wake, rx) = oneshot::channel();
            s.arrivals += 1;
            let arrival = s.arrivals;
            s.waiting.push(Waiter {
                ticket,
                arrival,
                wake,
            });
            rx
        };
        let mut waiting = Waiting {
            gate: Arc::clone(self),
            handed: Some(rx),
        };
        if let Some(rx) = waiting.handed.as_mut() {
            // The sender lives in the heap until it hands a place over.
            let _ = rx.await;
        }
        waiting.handed = None;
        Place {
            gate: Arc::clone(self),
        }
    }

    /// Hands a place to the smallest waiting ticket still waiting, else frees it.
    fn release(&self) {
        let mut s = self.lock();
        while let Some(w) = s.waiting.pop() {
            if w.wake.send(()).is_ok() {
                return;
            }
        }
        s.free += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn places_go_to_the_smallest_waiting_ticket() {
        let gate = Arc::new(Gate::new(1));
        let first = gate.enter(5).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for ticket in [9u64, 3, 7] {
            let (gate, order) = (Arc::clone(&gate), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let _place = gate.enter(ticket).await;
                order.lock().unwrap().push(ticket);
            }));
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), [3, 7, 9]);
    }

    #[tokio::test]
    async fn a_call_given_up_while_waiting_loses_no_place() {
        let gate = Arc::new(Gate::new(1));
        let first = gate.enter(1).await;
        let waiting = tokio::spawn({
            let gate = Arc::clone(&gate);
            async move { gate.enter(2).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        waiting.abort();
        let _ = waiting.await;
        drop(first);
        // The place is free again.
        let again = tokio::time::timeout(std::time::Duration::from_secs(1), gate.enter(3)).await;
        assert!(again.is_ok());
    }
}
