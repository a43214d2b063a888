//! Our own URL scheme (ARCHITECTURE.md), built in one place. Every id is percent-encoded, so
//! an odd value from upstream stays one path segment.

use crate::model::navigation::SummaryAddon;
use crate::model::operators::OperatorKind;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One percent-encoded path segment.
pub fn segment(raw: &str) -> String {
    seg(raw)
}

fn seg(raw: &str) -> String {
    utf8_percent_encode(raw, SEGMENT).to_string()
}

/// `/orgs/{owner}/invoices`.
pub fn invoices(owner: &str) -> String {
    format!("/orgs/{}/invoices", seg(owner))
}

/// `/orgs/{owner}/apps/{app}` and its sub-pages (`""`, `"/deployments"`, `"/instances"`, `"/logs"`).
pub fn app(owner: &str, app: &str, sub: &'static str) -> String {
    format!("/orgs/{}/apps/{}{sub}", seg(owner), seg(app))
}

/// `/orgs/{owner}/resources/{resource}/drains`.
pub fn drains(owner: &str, resource: &str) -> String {
    format!("/orgs/{}/resources/{}/drains", seg(owner), seg(resource))
}

/// The page of an add-on this dashboard has one for: an operator panel or Pulsar policies.
pub fn addon_page(owner: &str, addon: &SummaryAddon) -> Option<String> {
    if let Some(kind) = OperatorKind::of_real_id(&addon.real_id) {
        return Some(format!(
            "/orgs/{}/operators/{}/{}",
            seg(owner),
            kind.as_str(),
            seg(&addon.real_id)
        ));
    }
    addon
        .real_id
        .starts_with("pulsar_")
        .then(|| format!("/orgs/{}/pulsar/{}", seg(owner), seg(&addon.real_id)))
}

/// An add-on's metrics (by its real id).
pub fn addon_metrics(owner: &str, real_id: &str) -> String {
    format!("/orgs/{}/addons/{}/metrics", seg(owner), seg(real_id))
}

/// An add-on's runtime logs (by its real id).
pub fn addon_logs(owner: &str, real_id: &str) -> String {
    format!("/orgs/{}/addons/{}/logs", seg(owner), seg(real_id))
}

/// Where an application's log files are downloaded (`…/logs.txt`, `…/access-logs.log`).
pub fn download_app(owner: &str, app: &str) -> String {
    format!("/download/orgs/{}/apps/{}", seg(owner), seg(app))
}

/// Where an add-on's log files are downloaded (`…/logs.txt`).
pub fn download_addon(owner: &str, real_id: &str) -> String {
    format!("/download/orgs/{}/addons/{}", seg(owner), seg(real_id))
}

/// An organisation's costs page.
pub fn costs(owner: &str) -> String {
    format!("/orgs/{}/costs", seg(owner))
}

/// This month's estimate as CSV (`costs-{year}-{month}-estimate.csv`).
pub fn estimate_csv(owner: &str, year: i32, month: u8) -> String {
    format!(
        "/download/orgs/{}/costs-{year}-{month:02}-estimate.csv",
        seg(owner)
    )
}

/// An organisation's activity feed.
pub fn activity(owner: &str) -> String {
    format!("/orgs/{}/activity", seg(owner))
}

/// An organisation's members.
pub fn members(owner: &str) -> String {
    format!("/orgs/{}/members", seg(owner))
}

/// `/zones`.
pub fn zones() -> String {
    "/zones".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(invoices("orga_1"), "/orgs/orga_1/invoices");
        assert_eq!(app("o", "../x", "/logs"), "/orgs/o/apps/..%2Fx/logs");
        assert_eq!(invoices("<script>"), "/orgs/%3Cscript%3E/invoices");
    }

    #[test]
    fn addon_pages_follow_the_real_id() {
        let a = |real: &str| SummaryAddon {
            real_id: real.into(),
            ..SummaryAddon::default()
        };
        assert_eq!(
            addon_page("o", &a("keycloak_1")).as_deref(),
            Some("/orgs/o/operators/keycloak/keycloak_1")
        );
        assert_eq!(
            addon_page("o", &a("pulsar_1")).as_deref(),
            Some("/orgs/o/pulsar/pulsar_1")
        );
        assert_eq!(addon_page("o", &a("postgresql_1")), None);
    }
}
