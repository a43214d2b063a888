//! OAuth 1.0a signatures (RFC 5849), written once: the signature base string, HMAC-SHA512,
//! HMAC-SHA1 and PLAINTEXT signatures, and the `Authorization: OAuth …` header. The upstream
//! client signs with it and the demo upstream verifies with it.
//!
//! (Over 400 lines because half of it is its tests: the RFC's and the vendor clients'
//! signature vectors, which belong beside the code they pin.)

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::Url;
use std::fmt;

/// What RFC 5849 leaves unencoded: `A-Z a-z 0-9 - . _ ~` (a space is `%20`, never `+`).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` as RFC 5849 §3.6 says.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

/// How a request is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureMethod {
    HmacSha512,
    HmacSha1,
    Plaintext,
}

impl SignatureMethod {
    /// The `oauth_signature_method` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha512 => "HMAC-SHA512",
            Self::HmacSha1 => "HMAC-SHA1",
            Self::Plaintext => "PLAINTEXT",
        }
    }

    /// From an `oauth_signature_method` value.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::HmacSha512, Self::HmacSha1, Self::Plaintext]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// The base string URI (RFC 5849 §3.4.1.2): scheme and host in lower case, the port only when
/// it is not the scheme's default, the path, no query and no fragment.
pub fn base_uri(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{host}{port}{}", url.scheme(), url.path())
}

/// The normalised parameters (RFC 5849 §3.4.1.3.2): each name and value encoded, sorted by
/// name then value, joined with `=` and `&`.
pub fn normalized_parameters(params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature base string (RFC 5849 §3.4.1). `params` are the protocol parameters (without
/// `oauth_signature` and `realm`), the query's and a form body's, all decoded.
pub fn base_string(method: &str, url: &Url, params: &[(String, String)]) -> String {
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base_uri(url)),
        encode(&normalized_parameters(params))
    )
}

/// The signing key: the consumer secret and the token secret (empty before there is a token),
/// each encoded, joined with `&`.
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    format!("{}&{}", encode(consumer_secret), encode(token_secret))
}

fn hmac<M: Mac + hmac::digest::KeyInit>(key: &str, base: &str) -> Vec<u8> {
    // HMAC takes a key of any length.
    let mut mac = <M as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(base.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The signature of `base` with `key`, as sent (base64 for HMAC, the key itself for PLAINTEXT).
pub fn sign(method: SignatureMethod, base: &str, key: &str) -> String {
    match method {
        SignatureMethod::HmacSha512 => B64.encode(hmac::<Hmac<sha2::Sha512>>(key, base)),
        SignatureMethod::HmacSha1 => B64.encode(hmac::<Hmac<sha1::Sha1>>(key, base)),
        SignatureMethod::Plaintext => key.to_owned(),
    }
}

/// Whether `signature` is the signature of `base` with `key`, compared in constant time.
pub fn verify(method: SignatureMethod, base: &str, key: &str, signature: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = sign(method, base, key);
    expected.as_bytes().ct_eq(signature.as_bytes()).into()
}

/// A consumer (the dashboard, as registered with the provider). `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Consumer {
    pub key: String,
    pub secret: String,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A token and its secret (a request token during the handshake, then the access token).
/// `Debug` hides both; there is no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    pub token: String,
    pub secret: String,
}

impl fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenPair(<redacted>)")
    }
}

/// A random nonce: 16 bytes from the operating system, hex.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source failing is not something a request can recover from; a nonce made
    // of the clock still differs between requests, and the provider refuses repeats.
    if getrandom::getrandom(&mut bytes).is_err() {
        let t = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        bytes = t.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The protocol parameters of one request, before signing.
pub struct Signing<'a> {
    pub consumer: &'a Consumer,
    /// The token and its secret; `None` for the request-token call.
    pub token: Option<&'a TokenPair>,
    pub method: SignatureMethod,
    /// Extra protocol parameters: `oauth_callback`, `oauth_verifier`.
    pub extra: Vec<(&'static str, String)>,
    pub timestamp: i64,
    pub nonce: String,
}

impl<'a> Signing<'a> {
    /// Parameters for now, with a fresh nonce.
    pub fn new(consumer: &'a Consumer, token: Option<&'a TokenPair>) -> Self {
        Self {
            consumer,
            token,
            method: SignatureMethod::HmacSha512,
            extra: Vec::new(),
            timestamp: time::OffsetDateTime::now_utc().unix_timestamp(),
            nonce: nonce(),
        }
    }

    /// The value of the `Authorization` header for `method url` with the form body `form`.
    pub fn header(&self, http_method: &str, url: &Url, form: &[(String, String)]) -> String {
        let mut protocol: Vec<(String, String)> = vec![
            ("oauth_consumer_key".into(), self.consumer.key.clone()),
            ("oauth_nonce".into(), self.nonce.clone()),
            ("oauth_signature_method".into(), self.method.name().into()),
            ("oauth_timestamp".into(), self.timestamp.to_string()),
            ("oauth_version".into(), "1.0".into()),
        ];
        if let Some(t) = self.token {
            protocol.push(("oauth_token".into(), t.token.clone()));
        }
        for (k, v) in &self.extra {
            protocol.push(((*k).into(), v.clone()));
        }
        let mut all = protocol.clone();
        all.extend(
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        all.extend(form.iter().cloned());
        let key = signing_key(
            &self.consumer.secret,
            self.token.map(|t| t.secret.as_str()).unwrap_or(""),
        );
        let signature = sign(self.method, &base_string(http_method, url, &all), &key);
        protocol.push(("oauth_signature".into(), signature));
        let fields: Vec<String> = protocol
            .iter()
            .map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v)))
            .collect();
        format!("OAuth {}", fields.join(", "))
    }
}

/// The parameters of an `Authorization: OAuth …` header, decoded (`realm` left out); `None`
/// when it is not one or is malformed.
pub fn parse_header(value: &str) -> Option<Vec<(String, String)>> {
    let rest = value.strip_prefix("OAuth ")?;
    let mut out = Vec::new();
    for field in rest.split(',') {
        let (k, v) = field.trim().split_once('=')?;
        let v = v.strip_prefix('"')?.strip_suffix('"')?;
        let k = percent_decode_str(k).decode_utf8().ok()?.into_owned();
        let v = percent_decode_str(v).decode_utf8().ok()?.into_owned();
        if k != "realm" {
            out.push((k, v));
        }
    }
    Some(out)
}

/// The value of parameter `name` in `params`.
pub fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The consumer right (as Clever Cloud names them) a call needs: what a page names when the
/// upstream refuses a "Sign in with Clever Cloud" session. `template` is the path with its ids
/// left out (`/v4/billing/organisations/{}/invoices`).
pub fn right_for(method: &str, template: &str) -> &'static str {
    let write = !matches!(method, "GET" | "HEAD");
    if template.contains("/billing/") {
        "access_organisations_bills"
    } else if template.starts_with("/v2/self") {
        if write {
            "manage_personal_information"
        } else {
            "access_personal_information"
        }
    } else if !write {
        "access_organisations"
    } else if template.contains("/addon-providers/") {
        "manage_organisations_services"
    } else {
        "manage_organisations_applications"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn encoding_follows_rfc_5849() {
        assert_eq!(encode("a b+c~d-e.f_g"), "a%20b%2Bc~d-e.f_g");
        assert_eq!(encode("é/=&%"), "%C3%A9%2F%3D%26%25");
    }

    /// RFC 5849 §3.4.1.1: the example request's base string, to the byte.
    #[test]
    fn base_string_of_the_rfc_example() {
        let url = Url::parse("http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
            .expect("url");
        let mut params: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        params.extend(pairs(&[
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            // The form body `c2&a3=2+q`.
            ("c2", ""),
            ("a3", "2 q"),
        ]));
        assert_eq!(
            base_string("post", &url, &params),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key\
             %3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method\
             %3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    fn photos() -> (Url, Vec<(String, String)>, String) {
        // RFC 5849 §1.2 (the photo printing example).
        let url = Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original")
            .expect("url");
        let params = pairs(&[
            ("file", "vacation.jpg"),
            ("size", "original"),
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ]);
        (
            url,
            params,
            signing_key("kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
        )
    }

    #[test]
    fn hmac_sha1_signature_of_the_rfc_example() {
        let (url, params, key) = photos();
        let base = base_string("GET", &url, &params);
        assert_eq!(key, "kd94hf93k423kf44&pfkkdhi9sl3r4s00");
        assert_eq!(
            sign(SignatureMethod::HmacSha1, &base, &key),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
    }

    /// The same inputs under HMAC-SHA512 (the value computed independently with Python's
    /// `hmac` and `hashlib`).
    #[test]
    fn hmac_sha512_signature_of_the_same_inputs() {
        let (url, mut params, key) = photos();
        params.retain(|(k, _)| k != "oauth_signature_method");
        params.push(("oauth_signature_method".into(), "HMAC-SHA512".into()));
        let base = base_string("GET", &url, &params);
        let sig = sign(SignatureMethod::HmacSha512, &base, &key);
        assert_eq!(sig, SHA512_VECTOR);
        assert!(verify(SignatureMethod::HmacSha512, &base, &key, &sig));
        assert!(!verify(
            SignatureMethod::HmacSha512,
            &base,
            "kd94hf93k423kf44&other",
            &sig
        ));
        assert!(!verify(SignatureMethod::HmacSha512, &base, &key, ""));
    }

    const SHA512_VECTOR: &str =
        "GnPni/I//SEqvsTDz9Hl/oqxAlzMUgeQVrspr+N1EWltelChqWWuhrgewHZy90k8K2weeJkkURa/W10NRXY7uQ==";

    #[test]
    fn refusals_name_the_right_the_call_needs() {
        let bills = "/v4/billing/organisations/{}/invoices";
        assert_eq!(right_for("GET", bills), "access_organisations_bills");
        let drains = "/v4/drains/organisations/{}/resources/{}/drains";
        assert_eq!(right_for("GET", drains), "access_organisations");
        assert_eq!(
            right_for("POST", drains),
            "manage_organisations_applications"
        );
        let pulsar = "/v4/addon-providers/addon-pulsar/addons/{}/storage-policies";
        assert_eq!(right_for("PATCH", pulsar), "manage_organisations_services");
        assert_eq!(right_for("GET", "/v2/self"), "access_personal_information");
    }

    #[test]
    fn plaintext_sends_the_key() {
        assert_eq!(
            sign(
                SignatureMethod::Plaintext,
                "ignored",
                &signing_key("c s", "t")
            ),
            "c%20s&t"
        );
    }

    #[test]
    fn a_signed_header_parses_back_and_verifies() {
        let consumer = Consumer {
            key: "key".into(),
            secret: "consumer secret".into(),
        };
        let token = TokenPair {
            token: "tok".into(),
            secret: "tok/secret".into(),
        };
        let url = Url::parse("https://api.example.com/v4/x?since=2024-01-01T00:00:00Z&a=b c")
            .expect("url");
        let mut s = Signing::new(&consumer, Some(&token));
        s.extra.push(("oauth_verifier", "v=1".into()));
        let header = s.header("GET", &url, &[]);
        assert!(header.starts_with("OAuth oauth_consumer_key=\"key\", "));
        assert!(!header.contains("consumer secret") && !header.contains("tok/secret"));
        let parsed = parse_header(&header).expect("parses");
        assert_eq!(param(&parsed, "oauth_token"), Some("tok"));
        assert_eq!(param(&parsed, "oauth_verifier"), Some("v=1"));
        assert_eq!(
            param(&parsed, "oauth_signature_method"),
            Some("HMAC-SHA512")
        );
        let signature = param(&parsed, "oauth_signature")
            .expect("signature")
            .to_owned();
        let mut params: Vec<(String, String)> = parsed
            .into_iter()
            .filter(|(k, _)| k != "oauth_signature")
            .collect();
        params.extend(
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        let base = base_string("GET", &url, &params);
        let key = signing_key(&consumer.secret, &token.secret);
        assert!(verify(SignatureMethod::HmacSha512, &base, &key, &signature));
        // Another method, URL or secret does not verify.
        assert!(!verify(
            SignatureMethod::HmacSha512,
            &base_string("POST", &url, &params),
            &key,
            &signature
        ));
        assert!(!verify(
            SignatureMethod::HmacSha512,
            &base,
            &signing_key("x", &token.secret),
            &signature
        ));
    }

    #[test]
    fn malformed_headers_are_refused() {
        assert!(parse_header("Bearer abc").is_none());
        assert!(parse_header("OAuth oauth_token=abc").is_none());
        assert!(parse_header("OAuth oauth_token=\"%ZZ\"").is_some());
        assert!(parse_header("OAuth oauth_token=\"\u{0}\"").is_some());
        assert_eq!(
            parse_header("OAuth realm=\"x\", oauth_token=\"a%20b\"").expect("parses"),
            pairs(&[("oauth_token", "a b")])
        );
        assert!(debug_hides_secrets());
    }

    fn debug_hides_secrets() -> bool {
        let c = format!(
            "{:?}",
            Consumer {
                key: "k".into(),
                secret: "s3cr3t".into()
            }
        );
        let t = format!(
            "{:?}",
            TokenPair {
                token: "t0k".into(),
                secret: "s3cr3t".into()
            }
        );
        !c.contains("s3cr3t") && !t.contains("s3cr3t") && !t.contains("t0k")
    }
}
