//! Signing in and out: the token form, "Sign in with Clever Cloud" (OAuth 1.0a), the
//! allow-lists and the attempt throttle; `establish` is where every way in ends.

pub mod allow;
pub mod answers;
pub mod clever_cloud;
pub mod clever_cloud_config;
pub mod establish;
pub mod throttle;
pub mod token;
