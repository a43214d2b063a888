//! What a session calls the upstream with: an API token or an OAuth access token. None of
//! these types can be printed with its secret: `Debug` is redacted and there is no `Display`
//! or `Serialize`.

use super::super::oauth1::{Consumer, TokenPair};
use reqwest::Url;
use std::fmt;

/// An API token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token; surrounding white space (from a paste) is dropped.
    pub fn new(raw: &str) -> Option<Self> {
        let t = raw.trim();
        let printable = t.bytes().all(|b| b.is_ascii_graphic());
        (!t.is_empty() && t.len() <= 4096 && printable).then(|| Self(t.to_owned()))
    }

    /// The secret, for the session store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

/// How a session's calls are authorised.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An API token, sent as `Bearer` to the token base.
    Token(ApiToken),
    /// An OAuth access token and its secret, signed per request, to the OAuth base.
    OAuth(TokenPair),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Credentials::Token(<redacted>)"),
            Self::OAuth(_) => f.write_str("Credentials::OAuth(<redacted>)"),
        }
    }
}

/// The OAuth provider: where "Sign in with Clever Cloud" goes, and who the dashboard is there.
#[derive(Clone, Debug)]
pub struct OAuthProvider {
    /// `CC_OAUTH_API_URL`.
    pub base: Url,
    pub consumer: Consumer,
}

/// An access token as the provider handed it over.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub pair: TokenPair,
    /// When the provider says it stops working.
    pub expires: Option<time::OffsetDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_never_printed() {
        let t = ApiToken::new("  secret-token-123 \n").unwrap();
        assert_eq!(t.expose(), "secret-token-123");
        assert!(!format!("{t:?}").contains("secret"));
        assert!(!format!("{:?}", Credentials::Token(t)).contains("secret"));
        assert!(ApiToken::new("").is_none());
        assert!(ApiToken::new("a b").is_none());
        assert!(ApiToken::new("tok\r\nX: y").is_none());
    }
}
