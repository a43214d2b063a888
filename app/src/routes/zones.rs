//! `/zones` and `/zones/{name}`: a world map drawn on the server (coastlines from Natural
//! Earth, served by `/map/land.svg`; markers here), and the table of zones with their
//! outbound IPs. Hovering or focusing a row highlights its marker and the reverse, once
//! hydrated (the `ZoneHighlight` island; the map and table are server HTML).

use crate::api::zones::{ZoneFilter, get_zone, list_zones};
use crate::components::copy_button::CopyButton;
use crate::components::error_view::ErrorView;
use crate::components::layout::ShellResource;
use crate::components::zone_highlight::ZoneHighlight;
use crate::hooks::use_url_filter;
use crate::logic::geo::{MAP_H, MAP_W, country_code, project};
use crate::model::zones::Zone;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The zones page.
#[component]
pub fn ZonesPage() -> impl IntoView {
    let filter = use_url_filter::<ZoneFilter>();
    let zones = Resource::new(
        move || filter.get(),
        |f| async move {
            f.upstream_query()
                .map_err(crate::error::AppError::BadRequest)?;
            list_zones(f).await
        },
    );
    let shell = use_context::<ShellResource>();
    let owners = move || {
        Suspend::new(async move {
            let owners = match shell {
                Some(s) => s.await.map(|d| d.owners).unwrap_or_default(),
                None => vec![],
            };
            let current = filter.read_untracked().owner_id.clone().unwrap_or_default();
            owners
                .into_iter()
                .map(|o| {
                    let sel = o.id == current;
                    view! { <option value=o.id.clone() selected=sel>{o.name}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <h1>"Zones"</h1>
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading zones…"</p> }>
            {move || Suspend::new(async move {
                match zones.await {
                    Ok(z) => {
                        let tags = z
                            .all_tags
                            .iter()
                            .map(|t| {
                                let t = t.clone();
                                let checked = filter.read_untracked().tags.contains(&t);
                                view! { <label class="check"><input type="checkbox" name="tag" value=t.clone() checked=checked />{t.clone()}</label> }
                            })
                            .collect_view();
                        view! {
                            <form method="get" class="filters" aria-label="Filter zones">
                                <label>"Private zones of"
                                    <select name="ownerId">
                                        <option value="">"Public zones only"</option>
                                        <Suspense fallback=|| ()>{owners}</Suspense>
                                    </select>
                                </label>
                                <fieldset class="states"><legend>"Tags (all must match)"</legend>{tags}</fieldset>
                                <div class="actions"><button type="submit">"Apply"</button><a href="/zones">"Reset"</a></div>
                            </form>
                            {if z.zones.is_empty() {
                                view! {
                                    <p class="empty" role="status">"No zone has all the chosen tags. Untick a tag, or "<a href="/zones">"show every zone"</a>"."</p>
                                }
                                .into_any()
                            } else {
                                view! { <ZoneMapAndTable zones=z.zones /> }.into_any()
                            }}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One zone.
#[component]
pub fn ZonePage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let zone = Resource::new(
        move || name.get(),
        |n| async move {
            crate::ids::SegmentId::parse("zone name", &n)?;
            get_zone(n).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted" role="status">"Loading zone…"</p> }>
            {move || Suspend::new(async move {
                match zone.await {
                    Ok(z) => view! {
                        <h1>{z.display_name.clone().unwrap_or_else(|| z.name.clone())} " " <span class="cc">{country_code(&z.country_code)}</span></h1>
                        <ZoneMapAndTable zones=vec![z] />
                    }
                    .into_any(),
                    Err(e) => view! { <h1>"Zone"</h1> <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn f1(v: f64) -> String {
    format!("{v:.1}")
}

#[component]
fn ZoneMapAndTable(zones: Vec<Zone>) -> impl IntoView {
    let markers = zones
        .iter()
        .filter_map(|z| {
            let (x, y) = project(z.lon?, z.lat?)?;
            let name = z.name.clone();
            let private = z.is_private();
            let tip = format!(
                "{} ({}, {}){}",
                z.name,
                z.city,
                z.country,
                if private { ", private" } else { "" }
            );
            let shape = if private {
                // A diamond for private zones: told apart by shape, not only by colour.
                view! {
                    <path d=format!("M{} {}l7 7l-7 7l-7 -7z", f1(x), f1(y - 7.0)) />
                }
                .into_any()
            } else {
                view! { <circle cx=f1(x) cy=f1(y) r="6" /> }.into_any()
            };
            Some(view! {
                <g
                    class=if private { "marker private" } else { "marker public" }
                    data-zone=name.clone()
                    tabindex="0"
                >
                    <title>{tip}</title>
                    {shape}
                </g>
            })
        })
        .collect_view();
    let rows = zones
        .iter()
        .map(|z| {
            let name = z.name.clone();
            let tags = z
                .tags
                .iter()
                .map(|t| view! { <span class="chip">{t.clone()}</span> })
                .collect_view();
            let ips = z
                .outbound_ips
                .iter()
                .map(|ip| view! { <li><code>{ip.clone()}</code> " " <CopyButton value=ip.clone() label=format!("outbound IP {ip}") /></li> })
                .collect_view();
            let all_ips = z.outbound_ips.join("\n");
            let copy_all = (z.outbound_ips.len() > 1).then(|| view! { <CopyButton value=all_ips label=format!("all outbound IPs of {name}") /> });
            let href = format!("/zones/{}", crate::urls::segment(&z.name));
            let private = z.is_private().then_some(" (private)");
            let shown = z.name.clone();
            view! {
                <tr
                    data-zone=name.clone()
                    class:private=z.is_private()
                    tabindex="0"
                >
                    <td><a href=href><code>{shown}</code></a>{private}</td>
                    <td>{z.display_name.clone().unwrap_or_default()}</td>
                    <td>{z.city.clone()}</td>
                    <td><span class="cc" aria-hidden="true">{country_code(&z.country_code)}</span> " " {z.country.clone()}</td>
                    <td class="chips">{tags}</td>
                    <td><ul class="plain">{ips}</ul>{copy_all}</td>
                </tr>
            }
        })
        .collect_view();
    let label = format!("World map with {} zones", zones.len());
    view! {
        <ZoneHighlight>
        <figure class="zone-map">
            <svg viewBox=format!("0 0 {MAP_W} {}", f1(MAP_H)) role="img" aria-label=label>
                <rect class="sea" x="0" y="0" width=f1(MAP_W) height=f1(MAP_H) />
                <image href="/map/land.svg" x="0" y="0" width=f1(MAP_W) height=f1(MAP_H) />
                {markers}
            </svg>
            <figcaption>"● public zone   ◆ private zone. Coastlines: Natural Earth (public domain)."</figcaption>
        </figure>
        <div class="table-scroll" role="region" tabindex="0" aria-label="Zones"><table class="data zones">
            <thead><tr><th>"Name"</th><th>"Display name"</th><th>"City"</th><th>"Country"</th><th>"Tags"</th><th>"Outbound IPs"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
        </ZoneHighlight>
    }
}
