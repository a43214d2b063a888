//! Zones: where applications and add-ons can run.

use crate::error::AppError;
use crate::logic::url_filter::{Field, UrlFilter, many, one};
use crate::model::zones::Zone;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

/// The zones page's filters, from its URL query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneFilter {
    pub tags: Vec<String>,
    pub owner_id: Option<String>,
}

impl UrlFilter for ZoneFilter {
    fn from_query(q: &ParamsMap) -> Self {
        Self {
            tags: many(q, "tag"),
            owner_id: one(q, "ownerId").filter(|o| !o.is_empty()),
        }
    }

    fn fields(&self) -> Vec<Field<'_>> {
        vec![
            Field::One("ownerId", &self.owner_id),
            Field::Many("tag", &self.tags),
        ]
    }
}

impl ZoneFilter {
    /// The upstream query, or a message for a bad owner id or tag.
    pub fn upstream_query(&self) -> Result<crate::query::ZoneQuery, String> {
        if let Some(m) = self.too_many() {
            return Err(m);
        }
        let mut c = crate::logic::filters::Checker::default();
        let owner_id = c.id("owner id", &self.owner_id);
        let mut tags = Vec::new();
        for t in self.tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            if t.len() <= 64
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b":-_.".contains(&b))
            {
                tags.push(t.to_owned());
            } else {
                c.fail(format!(
                    "Tag must look like region:eu (got \"{}\")",
                    crate::logic::filters::clip(t)
                ));
            }
        }
        c.finish(crate::query::ZoneQuery { tags, owner_id })
    }
}

/// Zones matching the filter (console order), and every tag of the owner's zones for the
/// filter's choices.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Zones {
    pub zones: Vec<Zone>,
    pub all_tags: Vec<String>,
}

/// The console's order: Clever Cloud public zones, then private ones by display name, then
/// the rest by city.
pub fn sort_zones(list: &mut [Zone]) {
    let rank = |z: &Zone| {
        let clever = z.tags.iter().any(|t| t == "infra:clever-cloud");
        match (clever, z.is_private()) {
            (true, false) => 0,
            (true, true) => 1,
            (false, true) => 2,
            (false, false) => 3,
        }
    };
    list.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| {
            let key = |z: &Zone| {
                if z.is_private() {
                    z.display_name.clone().unwrap_or_else(|| z.name.clone())
                } else {
                    z.city.clone()
                }
            };
            key(a).cmp(&key(b))
        })
    });
}

/// The zones, filtered, with the tags to choose from (both calls at once).
#[server(prefix = "/api", endpoint = "zones", input = Json)]
pub async fn list_zones(filter: ZoneFilter) -> Result<Zones, AppError> {
    let q = filter.upstream_query().map_err(AppError::BadRequest)?;
    let all_q = crate::query::ZoneQuery {
        tags: vec![],
        owner_id: q.owner_id.clone(),
    };
    crate::ssr::authed_call(async |api| {
        let (zones, all) = futures::join!(api.zones(&q), api.zones(&all_q));
        let mut zones = zones?;
        sort_zones(&mut zones);
        let mut all_tags: Vec<String> = all?.into_iter().flat_map(|z| z.tags).collect();
        all_tags.sort();
        all_tags.dedup();
        Ok(Zones { zones, all_tags })
    })
    .await
}

/// One zone by name.
#[server(prefix = "/api", endpoint = "zone")]
pub async fn get_zone(name: String) -> Result<Zone, AppError> {
    let name = crate::ids::SegmentId::parse("zone name", &name)?;
    crate::ssr::authed_call(async |api| api.zone(&name).await)
        .await
        .map_err(|e| match e {
            AppError::NotFound { .. } => AppError::not_found(format!("zone {name}")),
            other => other,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_sort_like_the_console() {
        let z = |name: &str, city: &str, tags: &[&str]| Zone {
            name: name.into(),
            city: city.into(),
            display_name: Some(name.to_uppercase()),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..Zone::default()
        };
        let mut list = vec![
            z("scw", "Paris", &["infra:scaleway"]),
            z(
                "acme-private",
                "Lyon",
                &["infra:clever-cloud", "scope:private"],
            ),
            z("rbx", "Roubaix", &["infra:clever-cloud"]),
            z("par", "Paris", &["infra:clever-cloud"]),
            z("other-private", "Oslo", &["scope:private"]),
        ];
        sort_zones(&mut list);
        let names: Vec<_> = list.iter().map(|z| z.name.as_str()).collect();
        assert_eq!(
            names,
            ["par", "rbx", "acme-private", "other-private", "scw"]
        );
    }

    #[test]
    fn tags_and_owner_are_checked() {
        let bad = ZoneFilter {
            tags: vec!["region:eu".into(), "<x>".into()],
            owner_id: Some("../o".into()),
        };
        let e = bad.upstream_query().unwrap_err();
        assert!(
            e.contains("Tag must look like region:eu") && e.contains("owner id"),
            "{e}"
        );
        let ok = ZoneFilter {
            tags: vec!["region:eu".into(), "for:applications".into()],
            owner_id: Some("orga_1".into()),
        };
        assert_eq!(ok.upstream_query().unwrap().pairs().len(), 3);
    }
}
