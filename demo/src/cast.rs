//! The cast of the demo world: who the owners are, what each holds, and the ids tests use.
//! A leaf: the areas' seeds read it, and `world` assembles the world from it.

use crate::ids::uuid;
use app::model::navigation::{ApplicationState, OrgRole};

pub(crate) struct AppSeed {
    pub name: &'static str,
    pub state: ApplicationState,
    pub kind: &'static str,
}

pub(crate) struct AddonSeed {
    pub name: &'static str,
    pub provider: &'static str,
    pub prefix: &'static str,
}

pub(crate) struct OwnerSeed {
    pub id: String,
    pub name: &'static str,
    pub role: OrgRole,
    pub apps: Vec<AppSeed>,
    pub addons: Vec<AddonSeed>,
    pub currencies: &'static [&'static str],
}

fn app(name: &'static str, state: ApplicationState, kind: &'static str) -> AppSeed {
    AppSeed { name, state, kind }
}

fn addon(name: &'static str, provider: &'static str, prefix: &'static str) -> AddonSeed {
    AddonSeed {
        name,
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

pub(crate) fn owners() -> Vec<OwnerSeed> {
    use ApplicationState::*;
    vec![
        OwnerSeed {
            id: user_id(),
            name: "Ada Lovelace",
            role: OrgRole::Admin,
            apps: vec![app("portfolio", ShouldBeUp, "node")],
            addons: vec![addon("notes-db", "postgresql-addon", "postgresql")],
            currencies: &["EUR"],
        },
        OwnerSeed {
            id: acme_id(),
            name: "Acme Corp",
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
            name: "Globex Corporation",
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
            name: "<script>alert(\"owned\")</script> & Sons",
            role: OrgRole::Developer,
            apps: vec![app("\"><img src=x onerror=alert(1)>", Moderated, "static")],
            addons: vec![],
            currencies: &["EUR"],
        },
    ]
}
