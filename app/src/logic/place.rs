//! Where a page is: its breadcrumb, the sidebar link it belongs under, and the tab title, all
//! from its path and the navigation data (names, never ids where a name exists).

use crate::logic::short_id;
use crate::model::navigation::Owner;
use crate::model::operators::OperatorKind;
use crate::urls;
use percent_encoding::percent_decode_str;

/// One step of the breadcrumb; the last one is the page itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crumb {
    pub label: String,
    pub href: String,
}

/// Where a page is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// From the widest to the page itself.
    pub crumbs: Vec<Crumb>,
    /// The sidebar link this page is under (marked current there).
    pub sidebar: Option<String>,
    /// The owner whose sidebar section opens.
    pub owner: Option<String>,
}

impl Place {
    /// The tab title: the crumbs from the page up (a word repeated next to itself, once).
    pub fn title(&self) -> String {
        let mut words: Vec<&str> = self.crumbs.iter().rev().map(|c| c.label.as_str()).collect();
        words.dedup();
        words.join(" · ")
    }
}

fn crumb(label: impl Into<String>, href: impl Into<String>) -> Crumb {
    Crumb {
        label: label.into(),
        href: href.into(),
    }
}

/// The sidebar link of an add-on: its own page when the dashboard has one, else its drains.
pub fn addon_link(owner: &str, addon: &crate::model::navigation::SummaryAddon) -> String {
    urls::addon_page(owner, addon).unwrap_or_else(|| urls::drains(owner, &addon.real_id))
}

/// Of the links `hrefs`, the one whose page `path` is or is under (the longest such): the
/// section to mark current in a navigation.
pub fn current_of<'a>(path: &str, hrefs: &[&'a str]) -> Option<&'a str> {
    hrefs
        .iter()
        .copied()
        .filter(|h| path == *h || path.strip_prefix(*h).is_some_and(|r| r.starts_with('/')))
        .max_by_key(|h| h.len())
}

/// The place of `path` (a URL path, query and fragment ignored) given the owners the user can
/// reach.
pub fn place(path: &str, owners: &[Owner]) -> Place {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let home = || crumb("Organisations", "/");
    match seg.as_slice() {
        [] => Place {
            crumbs: vec![home()],
            sidebar: Some("/".to_owned()),
            ..Place::default()
        },
        ["zones", rest @ ..] => {
            let mut crumbs = vec![crumb("Zones", urls::zones())];
            if let [name] = rest {
                crumbs.push(crumb(*name, path));
            }
            Place {
                crumbs,
                sidebar: Some(urls::zones()),
                ..Place::default()
            }
        }
        ["alerts"] => Place {
            crumbs: vec![crumb("Alerts", "/alerts")],
            sidebar: Some("/alerts".to_owned()),
            ..Place::default()
        },
        ["sessions"] => Place {
            crumbs: vec![crumb("Your sessions", "/sessions")],
            sidebar: Some("/sessions".to_owned()),
            ..Place::default()
        },
        ["orgs", owner_id, rest @ ..] => owner_place(path, owner_id, rest, owners),
        _ => Place::default(),
    }
}

fn owner_place(path: &str, owner_id: &str, rest: &[&str], owners: &[Owner]) -> Place {
    let owner = owners.iter().find(|o| o.id == owner_id);
    let owner_name = owner.map_or_else(|| owner_id.to_owned(), |o| o.name.clone());
    let mut crumbs = vec![crumb(owner_name, urls::activity(owner_id))];
    let mut place = Place {
        owner: Some(owner_id.to_owned()),
        ..Place::default()
    };
    let invoices = urls::invoices(owner_id);
    match rest {
        ["invoices", more @ ..] => {
            crumbs.push(crumb("Invoices", &invoices));
            if let [number] = more {
                crumbs.push(crumb(format!("Invoice {number}"), path));
            }
            place.sidebar = Some(invoices);
        }
        ["activity"] => {
            crumbs.push(crumb("Activity", path));
            place.sidebar = Some(urls::activity(owner_id));
        }
        ["members"] => {
            crumbs.push(crumb("Members", path));
            place.sidebar = Some(urls::members(owner_id));
        }
        ["costs"] => {
            crumbs.push(crumb("Invoices", &invoices));
            crumbs.push(crumb("Costs", path));
            place.sidebar = Some(invoices);
        }
        ["apps", app, more @ ..] => {
            let overview = urls::app(owner_id, app, "");
            crumbs.push(crumb(name_of(owner, app), &overview));
            let (label, sub) = match more {
                [] => ("Overview", ""),
                ["deployments", ..] => ("Deployments", "/deployments"),
                ["instances"] => ("Instances", "/instances"),
                ["logs"] => ("Logs", "/logs"),
                ["access-logs"] => ("Access logs", "/access-logs"),
                ["metrics"] => ("Metrics", "/metrics"),
                _ => ("", ""),
            };
            if !label.is_empty() {
                crumbs.push(crumb(label, urls::app(owner_id, app, sub)));
            }
            if let ["deployments", id] = more {
                let short = short_id(id);
                let short = short.strip_prefix("deployment_").unwrap_or(&short);
                crumbs.push(crumb(format!("Deployment {short}"), path));
            }
            place.sidebar = Some(overview);
        }
        ["resources", resource, "drains"] => {
            let app = owner.and_then(|o| o.app(resource));
            let addon = owner.and_then(|o| o.addon(resource));
            let drains = urls::drains(owner_id, resource);
            let (name, link) = match (app, addon) {
                (Some(a), _) => (a.name.clone(), urls::app(owner_id, &a.id, "")),
                (None, Some(a)) => (a.name.clone(), addon_link(owner_id, a)),
                (None, None) => ((*resource).to_owned(), drains.clone()),
            };
            crumbs.push(crumb(name, &link));
            crumbs.push(crumb("Log drains", &drains));
            place.sidebar = Some(link);
        }
        ["addons", id, page @ ("metrics" | "logs")] => {
            let addon = owner.and_then(|o| o.addon(id));
            let link = addon.map_or_else(|| path.to_owned(), |a| addon_link(owner_id, a));
            crumbs.push(crumb(name_of(owner, id), &link));
            crumbs.push(crumb(
                if *page == "logs" { "Logs" } else { "Metrics" },
                path,
            ));
            place.sidebar = Some(link);
        }
        ["operators", kind, id] => {
            let label = OperatorKind::of_real_id(id)
                .filter(|k| k.as_str() == *kind)
                .map_or("Add-on", |k| k.label());
            crumbs.push(crumb(name_of(owner, id), path));
            crumbs.push(crumb(label, path));
            place.sidebar = Some(path.to_owned());
        }
        ["pulsar", id] => {
            crumbs.push(crumb(name_of(owner, id), path));
            crumbs.push(crumb("Storage policies", path));
            place.sidebar = Some(path.to_owned());
        }
        _ => {}
    }
    place.crumbs = crumbs;
    place
}

/// The name of an application or add-on, or its id when the navigation does not know it.
fn name_of(owner: Option<&Owner>, id: &str) -> String {
    owner
        .and_then(|o| o.resource_name(id))
        .unwrap_or_else(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::navigation::{SummaryAddon, SummaryApp};

    fn owners() -> Vec<Owner> {
        vec![Owner {
            id: "orga_1".into(),
            name: "Acme".into(),
            applications: vec![SummaryApp {
                id: "app_1".into(),
                name: "shop".into(),
                ..SummaryApp::default()
            }],
            addons: vec![
                SummaryAddon {
                    id: "addon_1".into(),
                    name: "stream".into(),
                    real_id: "pulsar_1".into(),
                    provider_id: "addon-pulsar".into(),
                },
                SummaryAddon {
                    id: "addon_2".into(),
                    name: "db".into(),
                    real_id: "postgresql_1".into(),
                    provider_id: "postgresql-addon".into(),
                },
            ],
            ..Owner::default()
        }]
    }

    fn labels(p: &Place) -> Vec<&str> {
        p.crumbs.iter().map(|c| c.label.as_str()).collect()
    }

    #[test]
    fn application_pages_name_the_owner_the_app_and_the_section() {
        let p = place(
            "/orgs/orga_1/apps/app_1/deployments/deployment_55b86136-b329",
            &owners(),
        );
        assert_eq!(
            labels(&p),
            ["Acme", "shop", "Deployments", "Deployment 55b86136…"]
        );
        assert_eq!(p.sidebar.as_deref(), Some("/orgs/orga_1/apps/app_1"));
        assert_eq!(p.owner.as_deref(), Some("orga_1"));
        assert_eq!(
            p.title(),
            "Deployment 55b86136… · Deployments · shop · Acme"
        );
        let p = place("/orgs/orga_1/apps/app_1", &owners());
        assert_eq!(labels(&p), ["Acme", "shop", "Overview"]);
    }

    #[test]
    fn the_current_section_is_the_longest_link_the_path_is_under() {
        let links = ["/a/app_1", "/a/app_1/deployments", "/a/app_1/logs"];
        assert_eq!(
            current_of("/a/app_1/deployments/d_1", &links),
            Some("/a/app_1/deployments")
        );
        assert_eq!(current_of("/a/app_1", &links), Some("/a/app_1"));
        assert_eq!(current_of("/a/app_10/logs", &links), None);
        assert_eq!(current_of("/a/app_1/logsx", &links), Some("/a/app_1"));
    }

    #[test]
    fn add_on_pages_use_the_add_on_name() {
        let p = place("/orgs/orga_1/pulsar/pulsar_1", &owners());
        assert_eq!(labels(&p), ["Acme", "stream", "Storage policies"]);
        assert_eq!(p.sidebar.as_deref(), Some("/orgs/orga_1/pulsar/pulsar_1"));
        // An add-on without a page of its own is found under its drains.
        let p = place("/orgs/orga_1/resources/postgresql_1/drains", &owners());
        assert_eq!(labels(&p), ["Acme", "db", "Log drains"]);
        assert_eq!(
            p.sidebar.as_deref(),
            Some("/orgs/orga_1/resources/postgresql_1/drains")
        );
    }

    #[test]
    fn unknown_ids_show_as_they_are_and_odd_paths_have_no_crumbs() {
        let p = place("/orgs/orga_9/apps/app_%3Cx%3E/logs?since=1", &owners());
        assert_eq!(labels(&p), ["orga_9", "app_<x>", "Logs"]);
        assert_eq!(place("/nowhere", &owners()), Place::default());
        let p = place("/", &owners());
        assert_eq!(p.title(), "Organisations");
        let p = place("/orgs/orga_1/invoices/ACM-1", &owners());
        assert_eq!(labels(&p), ["Acme", "Invoices", "Invoice ACM-1"]);
        assert_eq!(p.sidebar.as_deref(), Some("/orgs/orga_1/invoices"));
    }
}
