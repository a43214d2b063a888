//! The ids in the current route, read once and checked before anything calls the upstream
//! with them.

use crate::error::AppError;
use crate::ids::SegmentId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The owner and application ids of the current route.
pub fn use_app_ids() -> Memo<(String, String)> {
    let params = use_params_map();
    Memo::new(move |_| {
        let p = params.read();
        (
            p.get("owner_id").unwrap_or_default(),
            p.get("app_id").unwrap_or_default(),
        )
    })
}

/// Both ids checked before anything is called with them.
pub fn check_app_ids(owner: &str, app: &str) -> Result<(), AppError> {
    SegmentId::parse("owner id", owner)?;
    SegmentId::parse("application id", app)?;
    Ok(())
}
