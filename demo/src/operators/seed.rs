//! The seeded operators of the demo world.

use crate::ids::{sha, uuid};
use app::model::navigation::{SummaryAddon, SummaryApp};
use app::model::operators::{
    Credentials, Features, NetworkGroup, Operator, OperatorApi, OperatorPlan,
};
use std::collections::BTreeMap;

pub(crate) fn seed_operator(
    owner: &str,
    addon: &SummaryAddon,
    apps: &[SummaryApp],
) -> Option<Operator> {
    use app::model::operators::OperatorKind::*;
    let kind = app::model::operators::OperatorKind::of_real_id(&addon.real_id)?;
    let u = uuid(&addon.real_id);
    let entry = apps.first().map(|a| a.id.clone()).unwrap_or_default();
    let mut resources = BTreeMap::new();
    resources.insert("entrypoint".to_owned(), entry);
    let (versions, java, php, plan): (&[&str], Option<&str>, Option<&str>, OperatorPlan) =
        match kind {
            Keycloak => (
                &["25.0.6", "26.0.8", "26.1.4", "26.2.5"],
                Some("21"),
                None,
                OperatorPlan::Base,
            ),
            Metabase => (
                &["0.52.9", "0.53.4", "0.54.1"],
                Some("21"),
                None,
                OperatorPlan::Beta,
            ),
            Otoroshi => (
                &["16.22.0", "17.4.0", "17.5.1"],
                Some("21"),
                None,
                OperatorPlan::Alpha,
            ),
            Matomo => (&["5.1.2", "5.2.0"], None, Some("8.3"), OperatorPlan::Beta),
        };
    let full = addon.name == "gateway";
    match kind {
        Keycloak => {
            resources.insert("fsbucketId".into(), format!("bucket_{u}"));
            resources.insert("pgsqlId".into(), format!("postgresql_{u}"));
        }
        Metabase => {
            resources.insert("pgsqlId".into(), format!("postgresql_{u}"));
        }
        Matomo => {
            resources.insert("mysqlId".into(), format!("mysql_{u}"));
            resources.insert("redisId".into(), format!("redis_{u}"));
        }
        Otoroshi => {
            resources.insert("redisId".into(), format!("redis_{u}"));
            if full {
                resources.insert("pulsarId".into(), format!("pulsar_{u}"));
                resources.insert("elasticId".into(), format!("elasticsearch_{u}"));
                resources.insert("cellarId".into(), format!("cellar_{u}"));
            }
        }
    }
    let host = |what: &str| {
        format!(
            "https://{}-{what}-{}.services.clever-cloud.com",
            kind.as_str(),
            &u[..8]
        )
    };
    let installed = versions[versions.len().saturating_sub(2)];
    Some(Operator {
        resource_id: addon.real_id.clone(),
        addon_id: addon.id.clone(),
        name: addon.name.clone(),
        owner_id: owner.to_owned(),
        plan,
        version: installed.to_owned(),
        java_version: java.map(str::to_owned),
        php_version: php.map(str::to_owned),
        access_url: Some(host("web")),
        available_versions: versions.iter().map(|v| (*v).to_owned()).collect(),
        initial_credentials: matches!(kind, Keycloak | Otoroshi).then(|| Credentials {
            user: "admin".into(),
            password: format!("pw-{}", &sha(&u)[..20]),
        }),
        api: (kind == Otoroshi).then(|| OperatorApi {
            url: Some(host("api")),
            user: Some(format!("api-{}", &u[..8])),
            secret: Some(sha(&format!("{u}-secret"))),
            openapi: Some(format!("{}/api/openapi.json", host("api"))),
            swagger_url: Some(format!("{}/api/openapi/ui", host("api"))),
        }),
        resources,
        features: kind.has_network_group().then(|| Features {
            network_group: full.then(|| NetworkGroup {
                id: format!("ng_{}", uuid(&format!("{u}-ng"))),
            }),
        }),
    })
}
