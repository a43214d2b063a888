//! Layout of the deployment timeline, pure so it can be tested: a time scale, the steps of a
//! deployment as segments, lanes for deployments that overlap, and a duration scale.
//!
//! The page draws two things from this: a strip with every deployment at its place in time
//! (weeks wide, so a deployment is a mark, and marks that would collide go to separate lanes),
//! and one row per deployment whose bar is split into its steps on a shared duration scale.
//!
//! (Over 400 lines by its tests, a third of the file: the layout is geometry, best read
//! beside the cases that pin it.)

use crate::model::Timestamp;
use crate::model::deployments::{Deployment, DeploymentState};
use time::Duration;

/// One step of a deployment, from when it was entered to when the next began.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub state: DeploymentState,
    pub from: Timestamp,
    pub to: Timestamp,
}

impl Segment {
    /// Whole seconds spent in this step.
    pub fn secs(&self) -> i64 {
        (self.to - self.from).whole_seconds().max(0)
    }
}

/// Where a failed deployment failed: the step it was in when it ended, and the window of
/// logs around it (a minute before that step to two minutes after the end). `None` unless
/// it failed.
pub fn failure(d: &Deployment, now: Timestamp) -> Option<(Segment, Timestamp, Timestamp)> {
    if d.state != DeploymentState::Failed {
        return None;
    }
    let step = segments(d, now).pop()?;
    let end = d.end_date().unwrap_or(step.to);
    Some((
        step.clone(),
        step.from - time::Duration::minutes(1),
        end + time::Duration::minutes(2),
    ))
}

/// The steps of `d` as segments, in time order. A step lasts until the next one; the final
/// state is an instant, not a segment; a deployment still running has its last step last
/// until `now`. Undated steps are skipped.
pub fn segments(d: &Deployment, now: Timestamp) -> Vec<Segment> {
    let mut steps: Vec<_> = d
        .steps
        .iter()
        .filter_map(|s| s.date.map(|t| (t, s.state.clone())))
        .collect();
    steps.sort_by_key(|(t, _)| *t);
    let mut out = Vec::with_capacity(steps.len());
    for (i, (from, state)) in steps.iter().enumerate() {
        let to = match steps.get(i + 1) {
            Some((next, _)) => *next,
            None if state.is_final() => continue,
            // A final deployment whose last step is not final (odd upstream): stop there.
            None if d.state.is_final() => *from,
            None => now.max(*from),
        };
        out.push(Segment {
            state: state.clone(),
            from: *from,
            to,
        });
    }
    out
}

/// When a deployment started and ended (`now` while it runs); `None` without any date.
pub fn span(d: &Deployment, now: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let first_step = d.steps.iter().filter_map(|s| s.date).min();
    let last_step = d.steps.iter().filter_map(|s| s.date).max();
    let start = d.start_date.or(first_step)?;
    let end = if d.state.is_final() {
        d.end_date().or(last_step).unwrap_or(start)
    } else {
        now
    };
    Some((start, end.max(start)))
}

/// Total duration in whole seconds (until `now` while it runs).
pub fn total_secs(d: &Deployment, now: Timestamp) -> Option<i64> {
    span(d, now).map(|(s, e)| (e - s).whole_seconds())
}

/// A tick of an axis: its position and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// A linear scale from a time range to `[x0, x0 + width]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeScale {
    pub from: Timestamp,
    pub to: Timestamp,
    pub x0: f64,
    pub width: f64,
}

impl TimeScale {
    /// A scale over `[from, to]`; an empty range is widened to one minute.
    pub fn new(from: Timestamp, to: Timestamp, x0: f64, width: f64) -> Self {
        let to = if to > from {
            to
        } else {
            from + Duration::minutes(1)
        };
        Self {
            from,
            to,
            x0,
            width,
        }
    }

    /// Where `t` is drawn, clamped to the scale.
    pub fn x(&self, t: Timestamp) -> f64 {
        let total = (self.to - self.from).as_seconds_f64();
        let f = ((t - self.from).as_seconds_f64() / total).clamp(0.0, 1.0);
        self.x0 + f * self.width
    }

    /// Ticks at a round step (minutes to weeks) with at most `max` of them, labelled with the
    /// time of day or the day, in UTC.
    pub fn ticks(&self, max: usize) -> Vec<Tick> {
        const STEPS: [i64; 11] = [
            60,
            300,
            900,
            1800,
            3600,
            3 * 3600,
            6 * 3600,
            12 * 3600,
            86_400,
            2 * 86_400,
            7 * 86_400,
        ];
        let total = (self.to - self.from).whole_seconds().max(1);
        let step = STEPS
            .iter()
            .copied()
            .find(|s| total / s < max.max(1) as i64)
            .unwrap_or_else(|| total / max.max(1) as i64 + 1);
        // Weeks start on Monday (the epoch was a Thursday).
        let offset = if step == 7 * 86_400 { 4 * 86_400 } else { 0 };
        let from = self.from.unix_timestamp() - offset;
        let first = offset + (from + step - 1).div_euclid(step) * step;
        let mut out = Vec::new();
        let mut t = first;
        while t <= self.to.unix_timestamp() && out.len() <= max {
            if let Ok(at) = Timestamp::from_unix_timestamp(t) {
                let label = if step >= 86_400 {
                    let d = at.date();
                    format!(
                        "{} {}",
                        super::MONTHS[usize::from(u8::from(d.month())) - 1],
                        d.day()
                    )
                } else {
                    format!("{:02}:{:02}", at.hour(), at.minute())
                };
                out.push(Tick {
                    x: self.x(at),
                    label,
                });
            }
            t += step;
        }
        out
    }
}

/// Lanes for intervals `(start, end)` so that none overlaps another in its lane: each goes to
/// the first lane free at its start, in start order. Returns the lane of each interval, in
/// input order, and the number of lanes.
pub fn lanes(intervals: &[(f64, f64)]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..intervals.len()).collect();
    order.sort_by(|&a, &b| intervals[a].0.total_cmp(&intervals[b].0));
    let mut ends: Vec<f64> = Vec::new();
    let mut out = vec![0; intervals.len()];
    for i in order {
        let (start, end) = intervals[i];
        let lane = match ends.iter().position(|&e| e <= start) {
            Some(l) => l,
            None => {
                ends.push(f64::NEG_INFINITY);
                ends.len() - 1
            }
        };
        ends[lane] = end.max(start);
        out[i] = lane;
    }
    let n = ends.len();
    (out, n)
}

/// A deployment's mark on the time strip.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub index: usize,
    pub x: f64,
    pub w: f64,
    pub lane: usize,
}

/// Deployments placed in time over `[x0, x0 + width]`; each mark at least `min_w` wide, and
/// marks that would touch are put in separate lanes. Deployments without a date are left out.
pub fn strip(
    deps: &[Deployment],
    now: Timestamp,
    x0: f64,
    width: f64,
    min_w: f64,
) -> (TimeScale, Vec<Mark>, usize) {
    let spans: Vec<_> = deps
        .iter()
        .enumerate()
        .filter_map(|(i, d)| span(d, now).map(|s| (i, s)))
        .collect();
    let from = spans.iter().map(|(_, (s, _))| *s).min().unwrap_or(now);
    let to = spans
        .iter()
        .map(|(_, (_, e))| *e)
        .max()
        .unwrap_or(now)
        .max(now);
    let scale = TimeScale::new(from, to, x0, width);
    let boxes: Vec<(f64, f64)> = spans
        .iter()
        .map(|(_, (s, e))| {
            let x = scale.x(*s);
            (x, (scale.x(*e) - x).max(min_w))
        })
        .collect();
    // One pixel of air between marks of a lane.
    let intervals: Vec<(f64, f64)> = boxes.iter().map(|(x, w)| (*x, x + w + 1.0)).collect();
    let (lane_of, n) = lanes(&intervals);
    let marks = spans
        .iter()
        .zip(boxes)
        .zip(lane_of)
        .map(|(((i, _), (x, w)), lane)| Mark {
            index: *i,
            x,
            w,
            lane,
        })
        .collect();
    (scale, marks, n)
}

/// A round duration as an axis label: "0", "30 s", "1 min 30 s", "2 h", "1 h 30 min".
pub fn short_duration(s: i64) -> String {
    match s {
        i64::MIN..=0 => "0".to_owned(),
        1..=59 => format!("{s} s"),
        60..=3599 if s % 60 == 0 => format!("{} min", s / 60),
        60..=3599 => format!("{} min {} s", s / 60, s % 60),
        _ if s % 3600 == 0 => format!("{} h", s / 3600),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// A linear scale of durations (seconds) over `[0, width]`, with round ticks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DurationScale {
    pub max_secs: i64,
    pub width: f64,
}

impl DurationScale {
    /// A scale up to the next round step above `max_secs` (at least one minute).
    pub fn new(max_secs: i64, width: f64) -> Self {
        let step = Self::step_for(max_secs.max(60));
        let max_secs = (max_secs.max(60) + step - 1) / step * step;
        Self { max_secs, width }
    }

    fn step_for(max_secs: i64) -> i64 {
        [
            10,
            30,
            60,
            120,
            300,
            600,
            900,
            1800,
            3600,
            7200,
            4 * 3600,
            12 * 3600,
        ]
        .into_iter()
        .find(|s| max_secs / s <= 6)
        .unwrap_or(86_400)
    }

    /// Width of `secs`.
    pub fn w(&self, secs: i64) -> f64 {
        secs.clamp(0, self.max_secs) as f64 / self.max_secs as f64 * self.width
    }

    /// Ticks from 0 to the end, labelled "0", "30 s", "2 min", "1 h".
    pub fn ticks(&self) -> Vec<Tick> {
        let step = Self::step_for(self.max_secs);
        (0..=self.max_secs / step)
            .map(|k| {
                let s = k * step;
                let label = short_duration(s);
                Tick {
                    x: self.w(s),
                    label,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deployments::Step;
    use time::macros::datetime;

    fn dep(state: &str, steps: &[(&str, Timestamp)]) -> Deployment {
        Deployment {
            start_date: steps.first().map(|s| s.1),
            state: DeploymentState::from_wire(state),
            steps: steps
                .iter()
                .map(|(s, t)| Step {
                    state: DeploymentState::from_wire(s),
                    date: Some(*t),
                })
                .collect(),
            ..Deployment::default()
        }
    }

    const T0: Timestamp = datetime!(2026-11-20 10:00 UTC);

    #[test]
    fn a_failed_deployment_says_its_last_step_and_the_logs_around_it() {
        let d = dep(
            "FAILED",
            &[
                ("QUEUED", T0),
                ("TASK_IN_PROGRESS", T0 + Duration::seconds(20)),
                ("FAILED", T0 + Duration::seconds(200)),
            ],
        );
        let (step, since, until) = failure(&d, T0 + Duration::hours(1)).expect("failed");
        assert_eq!(step.state.as_str(), "TASK_IN_PROGRESS");
        assert_eq!(since, T0 + Duration::seconds(20) - Duration::minutes(1));
        assert_eq!(until, T0 + Duration::seconds(200) + Duration::minutes(2));
        let ok = dep(
            "SUCCEEDED",
            &[("QUEUED", T0), ("SUCCEEDED", T0 + Duration::seconds(9))],
        );
        assert!(failure(&ok, T0).is_none());
    }

    #[test]
    fn steps_become_segments_and_the_final_state_is_an_instant() {
        let d = dep(
            "SUCCEEDED",
            &[
                ("QUEUED", T0),
                ("WORK_IN_PROGRESS", T0 + Duration::seconds(20)),
                ("SUCCEEDED", T0 + Duration::seconds(140)),
            ],
        );
        let s = segments(&d, T0 + Duration::hours(5));
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].state.as_str(), s[0].secs()), ("QUEUED", 20));
        assert_eq!(
            (s[1].state.as_str(), s[1].secs()),
            ("WORK_IN_PROGRESS", 120)
        );
        assert_eq!(total_secs(&d, T0 + Duration::hours(5)), Some(140));
    }

    #[test]
    fn a_running_deployment_lasts_until_now_and_is_not_failed() {
        let d = dep(
            "WORK_IN_PROGRESS",
            &[
                ("QUEUED", T0),
                ("WORK_IN_PROGRESS", T0 + Duration::seconds(10)),
            ],
        );
        let now = T0 + Duration::seconds(70);
        let s = segments(&d, now);
        assert_eq!(
            s.last().map(|s| (s.state.as_str(), s.secs())),
            Some(("WORK_IN_PROGRESS", 60))
        );
        assert_eq!(total_secs(&d, now), Some(70));
    }

    #[test]
    fn steps_out_of_order_or_undated_are_tolerated() {
        let mut d = dep(
            "FAILED",
            &[
                ("FAILED", T0 + Duration::seconds(90)),
                ("QUEUED", T0),
                ("ROLLING_BACK", T0 + Duration::seconds(30)),
            ],
        );
        d.steps.push(Step {
            state: DeploymentState::Queued,
            date: None,
        });
        d.start_date = None;
        let s = segments(&d, T0);
        assert_eq!(
            s.iter()
                .map(|s| (s.state.as_str(), s.secs()))
                .collect::<Vec<_>>(),
            [("QUEUED", 30), ("ROLLING_BACK", 60)]
        );
        assert_eq!(span(&d, T0), Some((T0, T0 + Duration::seconds(90))));
        assert_eq!(span(&Deployment::default(), T0), None);
    }

    #[test]
    fn the_time_scale_maps_ends_and_clamps() {
        let s = TimeScale::new(T0, T0 + Duration::hours(10), 100.0, 500.0);
        assert_eq!(s.x(T0), 100.0);
        assert_eq!(s.x(T0 + Duration::hours(5)), 350.0);
        assert_eq!(s.x(T0 + Duration::hours(10)), 600.0);
        assert_eq!(s.x(T0 - Duration::days(3)), 100.0);
        assert_eq!(s.x(T0 + Duration::days(3)), 600.0);
        let empty = TimeScale::new(T0, T0, 0.0, 10.0);
        assert!(empty.x(T0).is_finite());
    }

    #[test]
    fn time_ticks_are_round_and_few() {
        let s = TimeScale::new(T0, T0 + Duration::days(50), 0.0, 1000.0);
        let t = s.ticks(10);
        assert!(!t.is_empty() && t.len() <= 10, "{t:?}");
        assert_eq!(t[0].label, "Nov 23", "weekly ticks on round days");
        let s = TimeScale::new(T0, T0 + Duration::hours(3), 0.0, 1000.0);
        let t = s.ticks(8);
        assert_eq!(t[0].label, "10:00");
        assert_eq!(t[1].label, "10:30");
    }

    #[test]
    fn overlapping_intervals_get_separate_lanes() {
        let (l, n) = lanes(&[(0.0, 10.0), (5.0, 15.0), (10.0, 20.0), (6.0, 7.0)]);
        assert_eq!(n, 3);
        assert_eq!(l, [0, 1, 0, 2]);
        assert_eq!(lanes(&[]), (vec![], 0));
    }

    #[test]
    fn the_strip_places_marks_and_gives_overlaps_their_own_lane() {
        let a = dep(
            "SUCCEEDED",
            &[("QUEUED", T0), ("SUCCEEDED", T0 + Duration::minutes(5))],
        );
        let b = dep(
            "CANCELLED",
            &[
                ("QUEUED", T0 + Duration::minutes(2)),
                ("CANCELLED", T0 + Duration::minutes(3)),
            ],
        );
        let c = dep(
            "SUCCEEDED",
            &[
                ("QUEUED", T0 + Duration::days(7)),
                ("SUCCEEDED", T0 + Duration::days(7) + Duration::minutes(4)),
            ],
        );
        let now = T0 + Duration::days(7) + Duration::minutes(4);
        let (scale, marks, n) = strip(&[a, b, c, Deployment::default()], now, 0.0, 700.0, 3.0);
        assert_eq!(marks.len(), 3, "the undated one is left out");
        assert_eq!(n, 2);
        assert_eq!((marks[0].lane, marks[1].lane, marks[2].lane), (0, 1, 0));
        assert!(marks.iter().all(|m| m.w >= 3.0));
        assert_eq!(marks[0].x, 0.0);
        assert!((marks[2].x + marks[2].w - 700.0).abs() < 3.0 + 1e-9);
        assert_eq!(scale.to, now);
    }

    #[test]
    fn the_duration_scale_rounds_up_and_labels_ticks() {
        let s = DurationScale::new(140, 600.0);
        assert_eq!(s.max_secs, 150);
        assert_eq!(s.w(75), 300.0);
        assert_eq!(s.w(10_000), 600.0);
        let labels: Vec<_> = s.ticks().into_iter().map(|t| t.label).collect();
        assert_eq!(
            labels,
            ["0", "30 s", "1 min", "1 min 30 s", "2 min", "2 min 30 s"]
        );
        assert_eq!(short_duration(5400), "1 h 30 min");
        assert_eq!(short_duration(7200), "2 h");
        let s = DurationScale::new(0, 100.0);
        assert_eq!(s.max_secs, 60);
    }
}
