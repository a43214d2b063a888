//! Log drains (`/v4/drains/organisations/{o}/resources/{r}/drains`).

use super::{Timestamp, date, nullable};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// What a drain forwards.
    DrainKind {
        Log => "LOG",
        AccessLog => "ACCESSLOG",
        AuditLog => "AUDITLOG",
    }
);

wire_enum!(
    /// Lifecycle status of a drain (`status.status`).
    DrainStatus {
        Created => "CREATED",
        Enabling => "ENABLING",
        Enabled => "ENABLED",
        Disabling => "DISABLING",
        Disabled => "DISABLED",
        Deleted => "DELETED",
    }
);

impl DrainStatus {
    /// Whether the status is still moving (create, enable and disable are asynchronous).
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Created | Self::Enabling | Self::Disabling)
    }
}

wire_enum!(
    /// Whether forwarding runs (`execution.status`).
    ExecutionStatus {
        Running => "RUNNING",
        Retrying => "RETRYING",
        NotRunning => "NOT_RUNNING",
    }
);

wire_enum!(
    /// Where a drain sends logs; decides which recipient fields apply.
    RecipientType {
        Datadog => "DATADOG",
        Elasticsearch => "ELASTICSEARCH",
        NewRelic => "NEWRELIC",
        OvhTcp => "OVH_TCP",
        RawHttp => "RAW_HTTP",
        SyslogTcp => "SYSLOG_TCP",
        SyslogUdp => "SYSLOG_UDP",
        Betterstack => "BETTERSTACK",
    }
);

wire_enum!(
    /// Elasticsearch TLS mode.
    TlsVerification {
        Default => "DEFAULT",
        Trustful => "TRUSTFUL",
    }
);

/// `status` of a drain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DrainStatusInfo {
    pub id: Option<String>,
    pub drain_id: Option<String>,
    #[serde(with = "date")]
    pub date: Option<Timestamp>,
    pub status: DrainStatus,
    pub author_id: Option<String>,
    pub error_reason: Option<String>,
}

/// `execution` of a drain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Execution {
    pub status: ExecutionStatus,
    pub attempt: Option<u32>,
    pub max_attempt: Option<u32>,
    #[serde(with = "date")]
    pub last_attempt_at: Option<Timestamp>,
    #[serde(with = "date")]
    pub next_attempt_at: Option<Timestamp>,
    #[serde(with = "date")]
    pub retrying_since: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Forwarding backlog and rates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Backlog {
    pub msg_backlog: Option<u64>,
    /// Messages per second.
    pub msg_rate_out: Option<f64>,
    /// Bytes per second.
    pub msg_throughput_out: Option<f64>,
}

/// Where a drain sends logs. Fields beyond `type` and `url` depend on the type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Recipient {
    #[serde(rename = "type")]
    pub type_: RecipientType,
    #[serde(deserialize_with = "nullable")]
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_verification: Option<TlsVerification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfc5424_structured_data_parameters: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_token: Option<String>,
}

/// One drain as the upstream returns it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Drain {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    pub tenant_id: Option<String>,
    pub resource_id: Option<String>,
    pub kind: DrainKind,
    #[serde(deserialize_with = "nullable")]
    pub status: DrainStatusInfo,
    #[serde(deserialize_with = "nullable")]
    pub execution: Execution,
    pub backlog: Option<Backlog>,
    #[serde(deserialize_with = "nullable")]
    pub recipient: Recipient,
}

/// Body of `POST .../drains`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateDrain {
    pub kind: DrainKind,
    pub recipient: Recipient,
}

/// The upstream's answer to `GET .../test-command`: a curl command, as text or JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TestCommand {
    pub command: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_retrying_drain() {
        let json = r#"{"id":"drain_1","tenantId":"orga_1","resourceId":"app_1","kind":"LOG",
          "status":{"id":"s1","drainId":"drain_1","date":"2024-01-01T00:00:00Z","status":"ENABLED"},
          "execution":{"status":"RETRYING","attempt":3,"maxAttempt":10,
                       "lastError":"connection refused","retryingSince":"2024-01-01T00:00:00Z"},
          "backlog":{"msgBacklog":1200,"msgRateOut":0.5,"msgThroughputOut":2048.0},
          "recipient":{"type":"ELASTICSEARCH","url":"https://es.example/_bulk","index":"logs",
                       "username":"u","password":"p","tlsVerification":"TRUSTFUL"}}"#;
        let d: Drain = serde_json::from_str(json).unwrap();
        assert_eq!(d.execution.status, ExecutionStatus::Retrying);
        assert_eq!(d.recipient.type_, RecipientType::Elasticsearch);
        assert_eq!(
            d.recipient.tls_verification,
            Some(TlsVerification::Trustful)
        );
        assert_eq!(d.backlog.and_then(|b| b.msg_backlog), Some(1200));
    }

    #[test]
    fn every_recipient_type_parses_and_unknown_is_kept() {
        for t in RecipientType::KNOWN {
            let json = format!(r#"{{"recipient":{{"type":"{t}","url":"x"}}}}"#);
            let d: Drain = serde_json::from_str(&json).unwrap();
            assert_eq!(&d.recipient.type_, t);
        }
        let d: Drain = serde_json::from_str(r#"{"recipient":{"type":"GRAYLOG"}}"#).unwrap();
        assert_eq!(d.recipient.type_.as_str(), "GRAYLOG");
    }

    #[test]
    fn create_body_leaves_out_absent_fields() {
        let body = CreateDrain {
            kind: DrainKind::Log,
            recipient: Recipient {
                type_: RecipientType::Datadog,
                url: "https://http-intake.logs.datadoghq.com/v1/input/KEY".into(),
                ..Recipient::default()
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"kind":"LOG","recipient":{"type":"DATADOG","url":"https://http-intake.logs.datadoghq.com/v1/input/KEY"}}"#
        );
    }
}
