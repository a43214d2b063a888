//! Deployments by position (`deployment=latest|previous` in the address, or an id): which
//! deployment that is now, and the time it lived (from its start to the next one's, or still
//! running), so a shared link stays right after the next deploy.

use crate::model::Timestamp;
use crate::model::deployments::Deployment;

/// What the address asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    Latest,
    Previous,
    Id(String),
}

impl Position {
    /// Reads `deployment=` (blank: none).
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim).filter(|v| !v.is_empty())? {
            "latest" => Some(Self::Latest),
            "previous" => Some(Self::Previous),
            id => Some(Self::Id(id.to_owned())),
        }
    }
}

/// A deployment and the time it lived.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifetime {
    pub id: String,
    pub since: Timestamp,
    /// The start of the next deployment; `None` while it is the newest (follow it live).
    pub until: Option<Timestamp>,
}

/// The deployment `position` names among `deployments` (any order), and its lifetime; a
/// message when there is none such.
pub fn lifetime(deployments: &[Deployment], position: &Position) -> Result<Lifetime, String> {
    let mut started: Vec<(&Deployment, Timestamp)> = deployments
        .iter()
        .filter_map(|d| d.start_date.map(|t| (d, t)))
        .collect();
    // Newest first.
    started.sort_by_key(|s| std::cmp::Reverse(s.1));
    let index = match position {
        Position::Latest => 0,
        Position::Previous => 1,
        Position::Id(id) => started
            .iter()
            .position(|(d, _)| d.id == *id)
            .ok_or_else(|| {
                format!(
                    "The deployment {} is not among the application's recent deployments.",
                    crate::logic::filters::clip(id)
                )
            })?,
    };
    let Some((d, since)) = started.get(index) else {
        return Err(match position {
            Position::Previous => "This application has no previous deployment.".to_owned(),
            _ => "This application has no deployment yet.".to_owned(),
        });
    };
    let until = index
        .checked_sub(1)
        .and_then(|newer| started.get(newer))
        .map(|(_, t)| *t);
    Ok(Lifetime {
        id: d.id.clone(),
        since: *since,
        until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn dep(id: &str, start: Option<Timestamp>) -> Deployment {
        Deployment {
            id: id.to_owned(),
            start_date: start,
            ..Deployment::default()
        }
    }

    #[test]
    fn positions_name_the_newest_deployments_and_their_lifetimes() {
        let (t1, t2, t3) = (
            datetime!(2026-12-01 08:00 UTC),
            datetime!(2026-12-01 12:00 UTC),
            datetime!(2026-12-02 09:30 UTC),
        );
        // In no particular order, one without a start.
        let deps = [
            dep("d2", Some(t2)),
            dep("d3", Some(t3)),
            dep("queued", None),
            dep("d1", Some(t1)),
        ];
        assert_eq!(
            lifetime(&deps, &Position::Latest),
            Ok(Lifetime {
                id: "d3".into(),
                since: t3,
                until: None
            })
        );
        assert_eq!(
            lifetime(&deps, &Position::Previous),
            Ok(Lifetime {
                id: "d2".into(),
                since: t2,
                until: Some(t3)
            })
        );
        assert_eq!(
            lifetime(&deps, &Position::Id("d1".into())),
            Ok(Lifetime {
                id: "d1".into(),
                since: t1,
                until: Some(t2)
            })
        );
        assert!(
            lifetime(&deps, &Position::Id("gone".into()))
                .unwrap_err()
                .contains("not among")
        );
        assert!(
            lifetime(&deps[..1], &Position::Previous)
                .unwrap_err()
                .contains("no previous deployment")
        );
        assert!(
            lifetime(&[], &Position::Latest)
                .unwrap_err()
                .contains("no deployment yet")
        );
        assert_eq!(Position::parse(Some(" latest ")), Some(Position::Latest));
        assert_eq!(Position::parse(Some("")), None);
        assert_eq!(
            Position::parse(Some("deployment_1")),
            Some(Position::Id("deployment_1".into()))
        );
    }
}
