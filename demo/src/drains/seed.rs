//! The seeded drains of the demo world.

use crate::cast::user_id;
use crate::ids::uuid;
use app::model::drains::{
    Backlog, Drain, DrainKind, DrainStatus, DrainStatusInfo, Execution, ExecutionStatus, Recipient,
    RecipientType, TlsVerification,
};
use time::{Duration, OffsetDateTime};

/// A drain as the upstream would hold it.
pub fn drain(
    owner: &str,
    resource: &str,
    id: String,
    kind: DrainKind,
    recipient: Recipient,
    status: DrainStatus,
    at: OffsetDateTime,
) -> Drain {
    Drain {
        id: id.clone(),
        tenant_id: Some(owner.to_owned()),
        resource_id: Some(resource.to_owned()),
        kind,
        status: DrainStatusInfo {
            id: Some(uuid(&format!("{id}-status"))),
            drain_id: Some(id),
            date: Some(at),
            status: status.clone(),
            author_id: Some(user_id()),
            error_reason: None,
        },
        execution: Execution {
            status: if status == DrainStatus::Enabled {
                ExecutionStatus::Running
            } else {
                ExecutionStatus::NotRunning
            },
            ..Execution::default()
        },
        backlog: Some(Backlog {
            msg_backlog: Some(0),
            msg_rate_out: Some(0.0),
            msg_throughput_out: Some(0.0),
        }),
        recipient,
    }
}

pub(crate) fn seed_drains(owner: &str, app: &str, full: bool, now: OffsetDateTime) -> Vec<Drain> {
    if !full {
        return Vec::new();
    }
    let r = |t: RecipientType, url: &str| Recipient {
        type_: t,
        url: url.to_owned(),
        ..Recipient::default()
    };
    let mut list = vec![
        r(
            RecipientType::Datadog,
            "https://http-intake.logs.datadoghq.eu/api/v2/logs?dd-api-key=demo",
        ),
        Recipient {
            index: Some("app-logs".into()),
            username: Some("elastic".into()),
            password: Some("es-demo-password".into()),
            tls_verification: Some(TlsVerification::Trustful),
            ..r(
                RecipientType::Elasticsearch,
                "https://es.example.net:9200/_bulk",
            )
        },
        Recipient {
            api_key: Some("NRAK-DEMO0123456789ABCDEF".into()),
            ..r(
                RecipientType::NewRelic,
                "https://log-api.eu.newrelic.com/log/v1",
            )
        },
        Recipient {
            token: Some("ovh-demo-token-1234".into()),
            ..r(RecipientType::OvhTcp, "tcp://gra1.logs.ovh.com:6514")
        },
        Recipient {
            username: Some("collector".into()),
            password: Some("raw-demo-password".into()),
            ..r(
                RecipientType::RawHttp,
                "https://collector.example.net/ingest",
            )
        },
        Recipient {
            rfc5424_structured_data_parameters: Some("X-OVH-TOKEN=\"demo\"".into()),
            ..r(RecipientType::SyslogTcp, "tcp://syslog.example.net:514")
        },
        r(RecipientType::SyslogUdp, "udp://syslog.example.net:514"),
        Recipient {
            source_token: Some("bs-demo-source-token-5678".into()),
            ..r(
                RecipientType::Betterstack,
                "https://in.logs.betterstack.com",
            )
        },
    ];
    list.drain(..)
        .enumerate()
        .map(|(i, rec)| {
            let kind = if i == 4 {
                DrainKind::AccessLog
            } else {
                DrainKind::Log
            };
            let status = if i == 6 {
                DrainStatus::Disabled
            } else {
                DrainStatus::Enabled
            };
            let at = now - Duration::days(30 - i as i64);
            let mut d = drain(
                owner,
                app,
                format!("drain_{}", uuid(&format!("{app}-{i}"))),
                kind,
                rec,
                status,
                at,
            );
            if let Some(b) = d.backlog.as_mut() {
                b.msg_rate_out = Some(if i == 6 { 0.0 } else { 12.5 + i as f64 });
                b.msg_throughput_out = Some(if i == 6 { 0.0 } else { 4096.0 * (i + 1) as f64 });
            }
            if i == 1 || i == 5 {
                d.execution = Execution {
                    status: ExecutionStatus::Retrying,
                    attempt: Some(3 + i as u32),
                    max_attempt: Some(10),
                    last_attempt_at: Some(now - Duration::minutes(2)),
                    next_attempt_at: Some(now + Duration::minutes(3)),
                    retrying_since: Some(now - Duration::hours(5)),
                    last_error: Some(if i == 1 {
                        "403 Forbidden: index [app-logs] is read-only".into()
                    } else {
                        "connection refused (syslog.example.net:514)".into()
                    }),
                };
                d.backlog = Some(Backlog {
                    msg_backlog: Some(18_250 * i as u64),
                    msg_rate_out: Some(0.0),
                    msg_throughput_out: Some(0.0),
                });
            }
            d
        })
        .collect()
}

/// The drains of an add-on: main-db has one disabled and one retrying (the fleet board's
/// add-on cases); the others none.
pub(crate) fn seed_addon_drains(
    owner: &str,
    real_id: &str,
    name: &str,
    now: OffsetDateTime,
) -> Vec<Drain> {
    if name != "main-db" {
        return Vec::new();
    }
    // The full set's retrying (1) and disabled (6) drains, under the add-on.
    seed_drains(owner, real_id, true, now)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i == 1 || *i == 6)
        .map(|(_, d)| d)
        .collect()
}
