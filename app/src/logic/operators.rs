//! What an operator panel shows per kind (the API reference's field table), and the checks
//! of a kind and id from the URL.

use crate::model::operators::{Operator, OperatorKind};

/// The kind-specific parts of a panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Visible {
    pub java_version: bool,
    pub php_version: bool,
    pub initial_credentials: bool,
    pub api: bool,
    pub network_group: bool,
    pub versions: bool,
}

/// The parts the reference lists for `kind`, and no other.
pub fn visible(kind: OperatorKind) -> Visible {
    use OperatorKind::*;
    Visible {
        java_version: matches!(kind, Keycloak | Metabase | Otoroshi),
        php_version: kind == Matomo,
        initial_credentials: matches!(kind, Keycloak | Otoroshi),
        api: kind == Otoroshi,
        network_group: kind.has_network_group(),
        versions: kind.has_versions(),
    }
}

/// Linked resources as shown: (role label, id), the entrypoint first; Otoroshi's optional
/// ones only when present (absent keys are simply not there).
pub fn resources(op: &Operator) -> Vec<(String, String)> {
    let label = |k: &str| match k {
        "entrypoint" => "Entrypoint application".to_owned(),
        "pgsqlId" => "PostgreSQL".to_owned(),
        "mysqlId" => "MySQL".to_owned(),
        "redisId" => "Redis".to_owned(),
        "fsbucketId" => "FS Bucket".to_owned(),
        "kvId" => "Materia KV".to_owned(),
        "pulsarId" => "Pulsar".to_owned(),
        "elasticId" => "Elasticsearch".to_owned(),
        "cellarId" => "Cellar".to_owned(),
        other => other.to_owned(),
    };
    let mut out: Vec<(String, String)> = op
        .resources
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.sort_by_key(|(k, _)| k != "entrypoint");
    out.into_iter().map(|(k, v)| (label(&k), v)).collect()
}

/// Why a kind and id from the URL cannot name an operator: `Err(true)` for a malformed id
/// (400), `Err(false)` for one of another kind (404).
pub fn check_id(kind: OperatorKind, id: &str) -> Result<(), bool> {
    if crate::ids::SegmentId::parse("add-on id", id).is_err() {
        return Err(true);
    }
    if OperatorKind::of_real_id(id) == Some(kind) {
        Ok(())
    } else {
        Err(false)
    }
}

/// The operator as it may reach the browser: the admin password and the API secret masked
/// (they are revealed one at a time, on demand).
pub fn redact(mut op: Operator) -> Operator {
    if let Some(c) = op.initial_credentials.as_mut() {
        c.password = crate::logic::drains::mask(&c.password);
    }
    if let Some(s) = op.api.as_mut().and_then(|a| a.secret.as_mut()) {
        *s = crate::logic::drains::mask(s);
    }
    op
}

/// A link taken from an upstream payload, kept only when it is an absolute `http` or `https`
/// URL (never `javascript:`, `data:` or a relative path that would point into the dashboard).
pub fn web_link(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (web && !host.is_empty() && !url.chars().any(char::is_control)).then(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::operators::{Credentials, OperatorApi};

    #[test]
    fn fields_follow_the_reference_per_kind() {
        let k = visible(OperatorKind::Keycloak);
        assert!(k.java_version && k.initial_credentials && k.network_group && k.versions);
        assert!(!k.php_version && !k.api);
        let m = visible(OperatorKind::Matomo);
        assert!(m.php_version && !m.java_version && !m.initial_credentials && !m.api);
        assert!(!m.network_group && !m.versions, "matomo has neither");
        let b = visible(OperatorKind::Metabase);
        assert!(b.java_version && b.versions && !b.network_group && !b.initial_credentials);
        let o = visible(OperatorKind::Otoroshi);
        assert!(o.api && o.initial_credentials && o.network_group && o.versions && o.java_version);
    }

    #[test]
    fn ids_must_match_their_kind() {
        assert_eq!(check_id(OperatorKind::Keycloak, "keycloak_1"), Ok(()));
        assert_eq!(check_id(OperatorKind::Keycloak, "matomo_1"), Err(false));
        assert_eq!(check_id(OperatorKind::Keycloak, "keycloak1"), Err(false));
        assert_eq!(check_id(OperatorKind::Keycloak, "../keycloak_1"), Err(true));
    }

    #[test]
    fn resources_put_the_entrypoint_first_and_skip_absent_ones() {
        let mut op = Operator::default();
        op.resources.insert("redisId".into(), "redis_1".into());
        op.resources.insert("entrypoint".into(), "app_1".into());
        op.resources.insert("cellarId".into(), String::new());
        assert_eq!(
            resources(&op),
            [
                ("Entrypoint application".to_owned(), "app_1".to_owned()),
                ("Redis".to_owned(), "redis_1".to_owned())
            ]
        );
    }

    #[test]
    fn secrets_are_masked() {
        let op = redact(Operator {
            initial_credentials: Some(Credentials {
                user: "admin".into(),
                password: "a-long-admin-password".into(),
            }),
            api: Some(OperatorApi {
                secret: Some("short".into()),
                ..OperatorApi::default()
            }),
            ..Operator::default()
        });
        assert_eq!(op.initial_credentials.unwrap().password, "••••••word");
        assert_eq!(op.api.unwrap().secret.as_deref(), Some("••••••"));
    }

    #[test]
    fn only_web_links_from_the_upstream_are_kept() {
        assert_eq!(
            web_link("https://kc.example/admin").as_deref(),
            Some("https://kc.example/admin")
        );
        assert!(web_link("HTTP://a.example").is_some());
        for bad in [
            "javascript:alert(1)",
            "JavaScript://%0aalert(1)",
            "data:text/html,x",
            "/orgs/x",
            "//evil.example",
            "https://",
            "ftp://files.example",
            "https://a.example/\nx",
        ] {
            assert_eq!(web_link(bad), None, "{bad}");
        }
    }
}
