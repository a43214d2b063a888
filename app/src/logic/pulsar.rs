//! Pulsar storage policies as people edit them: sizes from bytes to TiB, durations from
//! minutes to days, and "no limit" (negative) and "not set" (null) as explicit choices. Only
//! what changed is sent.

use crate::model::pulsar::{Policy, StoragePolicies};
use serde::{Deserialize, Serialize};

/// Size units, smallest first: (name, bytes).
pub const SIZE_UNITS: [(&str, i64); 5] = [
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// Duration units, smallest first: (name, minutes).
pub const DURATION_UNITS: [(&str, i64); 3] = [("minutes", 1), ("hours", 60), ("days", 1440)];

/// One value of a policy as the editor shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    /// `"unset"`, `"unlimited"` or `"value"`.
    pub mode: String,
    pub amount: String,
    pub unit: String,
}

/// A stored value as the editor shows it: the largest unit that divides it exactly.
pub fn show(v: Option<i64>, units: &[(&str, i64)]) -> Shown {
    match v {
        None => Shown {
            mode: "unset".into(),
            amount: String::new(),
            unit: units[units.len().min(3) - 1].0.into(),
        },
        Some(n) if n < 0 => Shown {
            mode: "unlimited".into(),
            amount: String::new(),
            unit: units[units.len().min(3) - 1].0.into(),
        },
        Some(n) => {
            let (name, size) = units
                .iter()
                .rev()
                .find(|(_, s)| n % s == 0 && n >= *s)
                .copied()
                .unwrap_or(units[0]);
            Shown {
                mode: "value".into(),
                amount: (n / size).to_string(),
                unit: name.into(),
            }
        }
    }
}

/// A human reading of a stored value: "10 GiB", "7 days", "no limit", or what null means.
pub fn describe(v: Option<i64>, units: &[(&str, i64)], unset: &str) -> String {
    let s = show(v, units);
    match s.mode.as_str() {
        "unset" => unset.to_owned(),
        "unlimited" => "no limit".to_owned(),
        _ if s.amount == "1" && s.unit.ends_with('s') => {
            format!("1 {}", s.unit.trim_end_matches('s'))
        }
        _ => format!("{} {}", s.amount, s.unit),
    }
}

/// The value an editor field stands for: `Ok(None)` not set, `Ok(Some(-1))` no limit, or the
/// amount times the unit (a whole number of the base unit, at least 0).
pub fn parse(
    label: &str,
    mode: &str,
    amount: &str,
    unit: &str,
    units: &[(&str, i64)],
) -> Result<Option<i64>, String> {
    match mode {
        "unset" => Ok(None),
        "unlimited" => Ok(Some(-1)),
        "value" => {
            let Some((_, size)) = units.iter().find(|(n, _)| *n == unit) else {
                return Err(format!("{label}: unknown unit \"{unit}\"."));
            };
            let a = amount.trim();
            let n: f64 = a
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "{label} must be a number of at least 0 (got \"{}\").",
                        super::filters::clip(a)
                    )
                })?;
            let total = n * *size as f64;
            if total > i64::MAX as f64 / 2.0 {
                return Err(format!("{label} is too large."));
            }
            if total.fract() != 0.0 {
                return Err(format!("{label} must be a whole number of {}.", units[0].0));
            }
            Ok(Some(total as i64))
        }
        other => Err(format!(
            "{label}: choose not set, no limit or a value (got \"{}\").",
            super::filters::clip(other)
        )),
    }
}

/// The PATCH body: only the fields that differ from `old`, `null` written out when a field
/// becomes not set. `None` when nothing changed.
pub fn patch_body(old: &StoragePolicies, new: &StoragePolicies) -> Option<serde_json::Value> {
    let mut body = serde_json::Map::new();
    for (key, o, n) in [
        (
            "retentionPolicies",
            old.retention_policies,
            new.retention_policies,
        ),
        (
            "offloadPolicies",
            old.offload_policies,
            new.offload_policies,
        ),
    ] {
        let (o, n) = (o.unwrap_or_default(), n.unwrap_or_default());
        let mut part = serde_json::Map::new();
        if o.size_in_bytes != n.size_in_bytes {
            part.insert("sizeInBytes".into(), n.size_in_bytes.into());
        }
        if o.duration_in_minutes != n.duration_in_minutes {
            part.insert("durationInMinutes".into(), n.duration_in_minutes.into());
        }
        if !part.is_empty() {
            body.insert(key.into(), part.into());
        }
    }
    (!body.is_empty()).then(|| body.into())
}

/// What a save changed, in words: "Retention size set to 20 GiB", "Offload time: no limit",
/// "Retention time not set (infinite retention)". Empty when nothing changed.
pub fn changes(old: &StoragePolicies, new: &StoragePolicies) -> Vec<String> {
    let mut out = vec![];
    for (what, o, n, unset) in [
        (
            "Retention",
            old.retention_policies,
            new.retention_policies,
            "infinite retention",
        ),
        (
            "Offload",
            old.offload_policies,
            new.offload_policies,
            "offload disabled",
        ),
    ] {
        let (o, n) = (o.unwrap_or_default(), n.unwrap_or_default());
        for (field, a, b, units) in [
            ("size", o.size_in_bytes, n.size_in_bytes, &SIZE_UNITS[..]),
            (
                "time",
                o.duration_in_minutes,
                n.duration_in_minutes,
                &DURATION_UNITS[..],
            ),
        ] {
            if a == b {
                continue;
            }
            out.push(match b {
                None => format!("{what} {field} not set ({unset})"),
                Some(v) if v < 0 => format!("{what} {field}: no limit"),
                v => format!("{what} {field} set to {}", describe(v, units, "")),
            });
        }
    }
    out
}

/// The editor's form as posted: for each of the four policies, a mode (`unset`, `unlimited`,
/// `value`), an amount and a unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyFields {
    pub retention_size_mode: String,
    pub retention_size_amount: String,
    pub retention_size_unit: String,
    pub retention_duration_mode: String,
    pub retention_duration_amount: String,
    pub retention_duration_unit: String,
    pub offload_size_mode: String,
    pub offload_size_amount: String,
    pub offload_size_unit: String,
    pub offload_duration_mode: String,
    pub offload_duration_amount: String,
    pub offload_duration_unit: String,
}

impl From<PolicyFields> for PolicyForm {
    fn from(f: PolicyFields) -> Self {
        Self {
            retention_size: (
                f.retention_size_mode,
                f.retention_size_amount,
                f.retention_size_unit,
            ),
            retention_duration: (
                f.retention_duration_mode,
                f.retention_duration_amount,
                f.retention_duration_unit,
            ),
            offload_size: (
                f.offload_size_mode,
                f.offload_size_amount,
                f.offload_size_unit,
            ),
            offload_duration: (
                f.offload_duration_mode,
                f.offload_duration_amount,
                f.offload_duration_unit,
            ),
        }
    }
}

/// The four editor fields of a form, each (mode, amount, unit).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub retention_size: (String, String, String),
    pub retention_duration: (String, String, String),
    pub offload_size: (String, String, String),
    pub offload_duration: (String, String, String),
}

impl PolicyForm {
    /// The policies the form stands for, or a message per bad field.
    pub fn to_policies(&self) -> Result<StoragePolicies, Vec<String>> {
        let mut errors = Vec::new();
        let mut get = |label: &str, f: &(String, String, String), units: &[(&str, i64)]| {
            parse(label, &f.0, &f.1, &f.2, units).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let p = StoragePolicies {
            retention_policies: Some(Policy {
                size_in_bytes: get("Retention size", &self.retention_size, &SIZE_UNITS),
                duration_in_minutes: get(
                    "Retention time",
                    &self.retention_duration,
                    &DURATION_UNITS,
                ),
            }),
            offload_policies: Some(Policy {
                size_in_bytes: get("Offload size", &self.offload_size, &SIZE_UNITS),
                duration_in_minutes: get("Offload time", &self.offload_duration, &DURATION_UNITS),
            }),
        };
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_is_said_in_words() {
        let p = |size, minutes| StoragePolicies {
            retention_policies: Some(Policy {
                size_in_bytes: size,
                duration_in_minutes: minutes,
            }),
            offload_policies: None,
        };
        assert_eq!(
            changes(&p(None, Some(60)), &p(Some(20 << 30), Some(60))),
            ["Retention size set to 20 GiB"]
        );
        assert_eq!(
            changes(&p(Some(1), Some(60)), &p(Some(-1), None)),
            [
                "Retention size: no limit",
                "Retention time not set (infinite retention)"
            ]
        );
        assert!(changes(&p(None, None), &p(None, None)).is_empty());
    }

    #[test]
    fn units_both_ways() {
        assert_eq!(show(Some(10 << 30), &SIZE_UNITS).amount, "10");
        assert_eq!(show(Some(10 << 30), &SIZE_UNITS).unit, "GiB");
        assert_eq!(show(Some(1536), &SIZE_UNITS).amount, "1536");
        assert_eq!(show(Some(2 << 40), &SIZE_UNITS).unit, "TiB");
        assert_eq!(show(Some(10080), &DURATION_UNITS).amount, "7");
        assert_eq!(show(Some(10080), &DURATION_UNITS).unit, "days");
        assert_eq!(show(Some(90), &DURATION_UNITS).unit, "minutes");
        assert_eq!(show(Some(0), &DURATION_UNITS).amount, "0");
        for v in [1i64, 1024, 1536, 5 << 20, 3 << 40] {
            let s = show(Some(v), &SIZE_UNITS);
            assert_eq!(
                parse("x", &s.mode, &s.amount, &s.unit, &SIZE_UNITS),
                Ok(Some(v))
            );
        }
        assert_eq!(
            parse("x", "value", "1.5", "GiB", &SIZE_UNITS),
            Ok(Some(3 << 29))
        );
        assert_eq!(
            parse("x", "value", "2", "hours", &DURATION_UNITS),
            Ok(Some(120))
        );
    }

    #[test]
    fn no_limit_and_not_set_are_their_own_choices() {
        assert_eq!(show(Some(-1), &SIZE_UNITS).mode, "unlimited");
        assert_eq!(show(None, &SIZE_UNITS).mode, "unset");
        assert_eq!(
            parse("x", "unlimited", "", "GiB", &SIZE_UNITS),
            Ok(Some(-1))
        );
        assert_eq!(parse("x", "unset", "12", "GiB", &SIZE_UNITS), Ok(None));
        assert_eq!(
            describe(None, &DURATION_UNITS, "infinite retention"),
            "infinite retention"
        );
        assert_eq!(describe(Some(-5), &DURATION_UNITS, "-"), "no limit");
        assert_eq!(describe(Some(2880), &DURATION_UNITS, "-"), "2 days");
        assert_eq!(describe(Some(1440), &DURATION_UNITS, "-"), "1 day");
    }

    #[test]
    fn bad_values_get_a_message() {
        assert!(
            parse("Retention size", "value", "-3", "GiB", &SIZE_UNITS)
                .unwrap_err()
                .contains("at least 0")
        );
        assert!(
            parse("Retention size", "value", "lots", "GiB", &SIZE_UNITS)
                .unwrap_err()
                .contains("(got \"lots\")")
        );
        assert!(
            parse("Retention size", "value", "1", "PiB", &SIZE_UNITS)
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse("Retention time", "value", "0.5", "minutes", &DURATION_UNITS)
                .unwrap_err()
                .contains("whole number of minutes")
        );
        assert!(
            parse("Retention size", "value", "99999999", "TiB", &SIZE_UNITS)
                .unwrap_err()
                .contains("too large")
        );
        assert!(parse("x", "maybe", "", "B", &SIZE_UNITS).is_err());
    }

    #[test]
    fn only_changes_are_sent_and_null_is_written() {
        let old = StoragePolicies {
            retention_policies: Some(Policy {
                size_in_bytes: Some(-1),
                duration_in_minutes: Some(10080),
            }),
            offload_policies: None,
        };
        let mut new = old;
        assert_eq!(patch_body(&old, &new), None);
        new.retention_policies = Some(Policy {
            size_in_bytes: Some(-1),
            duration_in_minutes: None,
        });
        new.offload_policies = Some(Policy {
            size_in_bytes: Some(1 << 30),
            duration_in_minutes: None,
        });
        assert_eq!(
            patch_body(&old, &new).unwrap().to_string(),
            r#"{"offloadPolicies":{"sizeInBytes":1073741824},"retentionPolicies":{"durationInMinutes":null}}"#
        );
    }
}
