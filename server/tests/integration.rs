//! Integration tests: the real server against the demo upstream, over real HTTP.

mod it;
