//! The cast of the demo world: who the owners are, what each holds, and the ids tests use.
//! A leaf: the areas' seeds read it, and `world` assembles the world from it.

use crate::ids::uuid;
use app::model::navigation::{ApplicationState, OrgRole};

pub(crate) struct AppSeed {
    pub name: String,
    pub state: ApplicationState,
    pub kind: &'static str,
}

pub(crate) struct AddonSeed {
    pub name: String,
    pub provider: &'static str,
    pub prefix: &'static str,
}

pub(crate) struct OwnerSeed {
    pub id: String,
    pub name: String,
    pub role: OrgRole,
    pub apps: Vec<AppSeed>,
    pub addons: Vec<AddonSeed>,
    pub currencies: &'static [&'static str],
}

fn app(name: impl Into<String>, state: ApplicationState, kind: &'static str) -> AppSeed {
    AppSeed {
        name: name.into(),
        state,
        kind,
    }
}

fn addon(name: impl Into<String>, provider: &'static str, prefix: &'static str) -> AddonSeed {
    AddonSeed {
        name: name.into(),
        provider,
        prefix,
    }
}

/// The personal space's id (the user's id).
pub fn user_id() -> String {
    format!("user_{}", uuid("ada"))
}

/// Acme's id: the organisation with one add-on of every kind.
pub fn acme_id() -> String {
    format!("orga_{}", uuid("acme"))
}

/// Globex's id: the organisation billed in two currencies.
pub fn globex_id() -> String {
    format!("orga_{}", uuid("globex"))
}

/// The organisation whose name tries to inject markup.
pub fn hostile_id() -> String {
    format!("orga_{}", uuid("hostile"))
}

/// An application's id from its name.
pub fn app_id(name: &str) -> String {
    format!("app_{}", uuid(name))
}

/// An add-on's real id from its prefix and name.
pub fn real_id(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}", uuid(name))
}

/// The cast, and `extra_orgs` more organisations of `apps_each` applications and two add-ons
/// each (the fleet board's benchmark).
pub(crate) fn owners_with(extra_orgs: usize, apps_each: usize) -> Vec<OwnerSeed> {
    let mut all = owners();
    all.extend((1..=extra_orgs).map(|n| {
        OwnerSeed {
            id: format!("orga_{}", uuid(&format!("fleet-{n}"))),
            name: format!("Fleet {n:02}"),
            role: OrgRole::Admin,
            apps: (1..=apps_each)
                .map(|a| {
                    app(
                        format!("fleet-{n:02}-app-{a:02}"),
                        ApplicationState::ShouldBeUp,
                        "node",
                    )
                })
                .collect(),
            addons: vec![
                addon(format!("fleet-{n:02}-db"), "postgresql-addon", "postgresql"),
                addon(format!("fleet-{n:02}-cache"), "redis-addon", "redis"),
            ],
            currencies: &["EUR"],
        }
    }));
    all
}

pub(crate) fn owners() -> Vec<OwnerSeed> {
    use ApplicationState::*;
    vec![
        OwnerSeed {
            id: user_id(),
            name: "Ada Lovelace".into(),
            role: OrgRole::Admin,
            apps: vec![app("portfolio", ShouldBeUp, "node")],
            addons: vec![addon("notes-db", "postgresql-addon", "postgresql")],
            currencies: &["EUR"],
        },
        OwnerSeed {
            id: acme_id(),
            name: "Acme Corp".into(),
            role: OrgRole::Admin,
            apps: vec![
                app("api-gateway", ShouldBeUp, "java"),
                app("web-frontend", ShouldBeUp, "node"),
                app("billing-worker", WantsToBeUp, "rust"),
                app("legacy-cron", ShouldBeDown, "php"),
            ],
            addons: vec![
                addon("auth", "keycloak", "keycloak"),
                addon("gateway", "otoroshi", "otoroshi"),
                addon("edge-lite", "otoroshi", "otoroshi"),
                addon("analytics", "addon-matomo", "matomo"),
                addon("bi", "metabase", "metabase"),
                addon("events", "addon-pulsar", "pulsar"),
                addon("main-db", "postgresql-addon", "postgresql"),
            ],
            currencies: &["EUR"],
        },
        OwnerSeed {
            id: globex_id(),
            name: "Globex Corporation".into(),
            role: OrgRole::Accounting,
            apps: vec![
                app("shop", ShouldBeUp, "python"),
                app("search", DefaultOfPayment, "go"),
            ],
            addons: vec![
                addon("orders", "addon-pulsar", "pulsar"),
                addon("cache", "redis-addon", "redis"),
            ],
            currencies: &["USD", "EUR"],
        },
        OwnerSeed {
            id: hostile_id(),
            name: "<script>alert(\"owned\")</script> & Sons".into(),
            role: OrgRole::Developer,
            apps: vec![app("\"><img src=x onerror=alert(1)>", Moderated, "static")],
            addons: vec![],
            currencies: &["EUR"],
        },
    ]
}
