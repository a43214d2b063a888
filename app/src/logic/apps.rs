//! Application overview logic: instance counts and ages.

use crate::model::Timestamp;
use crate::model::instances::Instance;
use std::collections::BTreeMap;

/// How many instances per value of `key`, most first, then by name.
pub fn count_by(list: &[Instance], key: impl Fn(&Instance) -> String) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for i in list {
        *counts.entry(key(i)).or_default() += 1;
    }
    let mut out: Vec<_> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// "3 minutes ago", "2 days ago", "just now"; a future date reads "in the future".
pub fn age(at: Timestamp, now: Timestamp) -> String {
    let secs = (now - at).whole_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    let (n, unit) = match secs {
        0..=59 => return "just now".to_owned(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A duration for people: "45 s", "3 min 20 s", "2 h 5 min".
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instances::InstanceState;
    use time::macros::datetime;

    #[test]
    fn counts_instances_by_state() {
        let i = |s: &str, f: &str| Instance {
            state: InstanceState::from_wire(s),
            flavor: f.into(),
            ..Instance::default()
        };
        let list = [i("UP", "XS"), i("UP", "M"), i("BOOTING", "XS")];
        assert_eq!(
            count_by(&list, |i| i.state.to_string()),
            [("UP".to_owned(), 2), ("BOOTING".to_owned(), 1)]
        );
        assert_eq!(
            count_by(&list, |i| i.flavor.clone()),
            [("XS".to_owned(), 2), ("M".to_owned(), 1)]
        );
    }

    #[test]
    fn ages_and_durations_read_well() {
        let now = datetime!(2026-01-10 12:00 UTC);
        assert_eq!(age(now, now), "just now");
        assert_eq!(age(datetime!(2026-01-10 11:57 UTC), now), "3 minutes ago");
        assert_eq!(age(datetime!(2026-01-10 11:00 UTC), now), "1 hour ago");
        assert_eq!(age(datetime!(2026-01-08 12:00 UTC), now), "2 days ago");
        assert_eq!(age(datetime!(2026-01-11 12:00 UTC), now), "in the future");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(200), "3 min 20 s");
        assert_eq!(duration(7500), "2 h 5 min");
        assert_eq!(duration(-3), "0 s");
    }
}
