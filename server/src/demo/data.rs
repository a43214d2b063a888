//! The demo's seeded world: owners, applications, add-ons, invoices, deployments, instances,
//! load balancers, zones, operators, drains and Pulsar policies. Built once at start, relative
//! to the start time, so dates look current.

use super::ids::{pick, sha, uuid};
use app::model::billing::{Address, Amount, Invoice, InvoiceKind, InvoiceStatus};
use app::model::deployments::{
    Deployment, DeploymentPriority, DeploymentState, Origin, OriginAction, Step, Version,
};
use app::model::drains::{
    Backlog, Drain, DrainKind, DrainStatus, DrainStatusInfo, Execution, ExecutionStatus, Recipient,
    RecipientType, TlsVerification,
};
use app::model::instances::{Instance, InstanceState, Network};
use app::model::load_balancers::{Dns, LoadBalancer};
use app::model::navigation::{
    ApplicationState, OrgRole, SelfUser, Summary, SummaryAddon, SummaryApp, SummaryOrganisation,
    SummaryUser,
};
use app::model::operators::{
    Credentials, Features, NetworkGroup, Operator, OperatorApi, OperatorPlan,
};
use app::model::pulsar::{Policy, StoragePolicies};
use app::model::zones::Zone;
use std::collections::{BTreeMap, HashMap};
use time::{Date, Duration, Month, OffsetDateTime};

/// The immutable part of the demo world.
pub struct World {
    pub started: OffsetDateTime,
    pub user: SelfUser,
    pub summary: Summary,
    /// Owner of each application and add-on (by id and real id).
    pub owner_of: HashMap<String, String>,
    pub invoices: HashMap<String, Vec<Invoice>>,
    pub deployments: HashMap<String, Vec<Deployment>>,
    pub instances: HashMap<String, Vec<Instance>>,
    pub load_balancers: HashMap<String, Vec<LoadBalancer>>,
    /// Zones, with the owner a private zone belongs to.
    pub zones: Vec<(Zone, Option<String>)>,
}

/// The mutable part: what the API lets a user change.
pub struct Mutable {
    pub drains: HashMap<String, Vec<Drain>>,
    pub operators: HashMap<String, Operator>,
    pub pulsar: HashMap<String, StoragePolicies>,
}

struct AppSeed {
    name: &'static str,
    state: ApplicationState,
    kind: &'static str,
}

struct AddonSeed {
    name: &'static str,
    provider: &'static str,
    prefix: &'static str,
}

struct OwnerSeed {
    id: String,
    name: &'static str,
    role: OrgRole,
    apps: Vec<AppSeed>,
    addons: Vec<AddonSeed>,
    currencies: &'static [&'static str],
}

fn app(name: &'static str, state: ApplicationState, kind: &'static str) -> AppSeed {
    AppSeed { name, state, kind }
}

fn addon(name: &'static str, provider: &'static str, prefix: &'static str) -> AddonSeed {
    AddonSeed {
        name,
        provider,
        prefix,
    }
}

/// The personal space's id (the user's id).
pub fn user_id() -> String {
    format!("user_{}", uuid("ada"))
}

/// Acme's id: the organisation with one add-on of every kind.
pub fn acme_id() -> String {
    format!("orga_{}", uuid("acme"))
}

/// Globex's id: the organisation billed in two currencies.
pub fn globex_id() -> String {
    format!("orga_{}", uuid("globex"))
}

/// The organisation whose name tries to inject markup.
pub fn hostile_id() -> String {
    format!("orga_{}", uuid("hostile"))
}

/// An application's id from its name.
pub fn app_id(name: &str) -> String {
    format!("app_{}", uuid(name))
}

/// An add-on's real id from its prefix and name.
pub fn real_id(prefix: &str, name: &str) -> String {
    format!("{prefix}_{}", uuid(name))
}

fn owners() -> Vec<OwnerSeed> {
    use ApplicationState::*;
    vec![
        OwnerSeed {
            id: user_id(),
            name: "Ada Lovelace",
            role: OrgRole::Admin,
            apps: vec![app("portfolio", ShouldBeUp, "node")],
            addons: vec![addon("notes-db", "postgresql-addon", "postgresql")],
            currencies: &["EUR"],
        },
        OwnerSeed {
            id: acme_id(),
            name: "Acme Corp",
            role: OrgRole::Admin,
            apps: vec![
                app("api-gateway", ShouldBeUp, "java"),
                app("web-frontend", ShouldBeUp, "node"),
                app("billing-worker", WantsToBeUp, "rust"),
                app("legacy-cron", ShouldBeDown, "php"),
            ],
            addons: vec![
                addon("auth", "keycloak", "keycloak"),
                addon("gateway", "otoroshi", "otoroshi"),
                addon("edge-lite", "otoroshi", "otoroshi"),
                addon("analytics", "addon-matomo", "matomo"),
                addon("bi", "metabase", "metabase"),
                addon("events", "addon-pulsar", "pulsar"),
                addon("main-db", "postgresql-addon", "postgresql"),
            ],
            currencies: &["EUR"],
        },
        OwnerSeed {
            id: globex_id(),
            name: "Globex Corporation",
            role: OrgRole::Accounting,
            apps: vec![
                app("shop", ShouldBeUp, "python"),
                app("search", ShouldBeUp, "go"),
            ],
            addons: vec![
                addon("orders", "addon-pulsar", "pulsar"),
                addon("cache", "redis-addon", "redis"),
            ],
            currencies: &["USD", "EUR"],
        },
        OwnerSeed {
            id: hostile_id(),
            name: "<script>alert(\"owned\")</script> & Sons",
            role: OrgRole::Developer,
            apps: vec![app("\"><img src=x onerror=alert(1)>", ShouldBeUp, "static")],
            addons: vec![],
            currencies: &["EUR"],
        },
    ]
}

impl World {
    /// Builds the world as of `now`.
    pub fn build(now: OffsetDateTime) -> (World, Mutable) {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let seeds = owners();
        let user = SelfUser {
            id: user_id(),
            email: "ada@example.com".into(),
            name: "Ada Lovelace".into(),
            avatar: None,
            lang: Some("EN".into()),
            admin: false,
            email_validated: true,
            creation_date: Some(now - Duration::days(900)),
        };
        let mut world = World {
            started: now,
            user,
            summary: Summary::default(),
            owner_of: HashMap::new(),
            invoices: HashMap::new(),
            deployments: HashMap::new(),
            instances: HashMap::new(),
            load_balancers: HashMap::new(),
            zones: zones(),
        };
        let mut mutable = Mutable {
            drains: HashMap::new(),
            operators: HashMap::new(),
            pulsar: HashMap::new(),
        };
        for seed in &seeds {
            let apps: Vec<SummaryApp> = seed
                .apps
                .iter()
                .map(|a| SummaryApp {
                    id: app_id(a.name),
                    name: a.name.to_owned(),
                    instance_type: Some(a.kind.to_owned()),
                    instance_variant: Some(a.kind.to_owned()),
                    variant_slug: Some(a.kind.to_owned()),
                    archived: false,
                    homogeneous: true,
                    state: a.state.clone(),
                    commit: Some(sha(a.name)),
                })
                .collect();
            let addons: Vec<SummaryAddon> = seed
                .addons
                .iter()
                .map(|a| SummaryAddon {
                    id: format!("addon_{}", uuid(a.name)),
                    name: a.name.to_owned(),
                    real_id: real_id(a.prefix, a.name),
                    provider_id: a.provider.to_owned(),
                })
                .collect();
            for (i, a) in seed.apps.iter().enumerate() {
                let id = app_id(a.name);
                world.owner_of.insert(id.clone(), seed.id.clone());
                let deps = deployments(&seed.id, &id, a.name, i, now);
                world
                    .instances
                    .insert(id.clone(), instances(&seed.id, &id, &deps, now));
                world.deployments.insert(id.clone(), deps);
                world
                    .load_balancers
                    .insert(id.clone(), load_balancers(a.name, i));
                mutable
                    .drains
                    .insert(id.clone(), seed_drains(&seed.id, &id, i == 0, now));
            }
            for a in &addons {
                world.owner_of.insert(a.real_id.clone(), seed.id.clone());
                world.owner_of.insert(a.id.clone(), seed.id.clone());
                if let Some(op) = seed_operator(&seed.id, a, &apps) {
                    mutable.operators.insert(a.real_id.clone(), op);
                }
                if a.real_id.starts_with("pulsar_") {
                    mutable
                        .pulsar
                        .insert(a.real_id.clone(), seed_policies(&a.name));
                }
                mutable.drains.insert(a.real_id.clone(), Vec::new());
            }
            world.invoices.insert(seed.id.clone(), invoices(seed, now));
            if seed.id == user_id() {
                world.summary.user = SummaryUser {
                    id: seed.id.clone(),
                    name: seed.name.to_owned(),
                    email: "ada@example.com".into(),
                    applications: apps,
                    addons,
                };
            } else {
                world.summary.organisations.push(SummaryOrganisation {
                    id: seed.id.clone(),
                    name: seed.name.to_owned(),
                    avatar: None,
                    role: seed.role.clone(),
                    applications: apps,
                    addons,
                });
            }
        }
        (world, mutable)
    }
}

fn month_start(now: OffsetDateTime, back: i32) -> OffsetDateTime {
    let total = now.year() * 12 + i32::from(u8::from(now.month())) - 1 - back;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    Date::from_calendar_date(year, month, 1)
        .unwrap_or(now.date())
        .midnight()
        .assume_utc()
}

fn amount(currency: &str, value: f64) -> Amount {
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    let formatted = format!("{sign}{abs:.2}");
    let display = match currency {
        "EUR" => format!("{formatted} €"),
        "USD" => format!("{sign}${abs:.2}"),
        other => format!("{formatted} {other}"),
    };
    Amount {
        currency: currency.to_owned(),
        amount: (value * 100.0).round() / 100.0,
        amount_formatted: formatted,
        default_display: display,
    }
}

fn invoices(seed: &OwnerSeed, now: OffsetDateTime) -> Vec<Invoice> {
    let prefix: String = seed
        .name
        .chars()
        .filter(char::is_ascii_alphabetic)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let address = Address {
        address_id: Some(format!("address_{}", uuid(seed.name))),
        owner_id: Some(seed.id.clone()),
        name: Some("Accounts payable".into()),
        company: Some(seed.name.to_owned()),
        address: Some("3 rue de l'Allier".into()),
        city: Some("Nantes".into()),
        zipcode: Some("44000".into()),
        country_alpha2: Some("FR".into()),
        vat_number: Some(format!(
            "FR{:011}",
            pick(seed.name, 10_000_000_000, 99_999_999_999)
        )),
        vat_percent: Some(20.0),
        customer_cost_center: Some("CC-42".into()),
        customer_purchase_order: Some(format!("PO-{}", pick(seed.name, 1000, 9999))),
    };
    let mut out = Vec::new();
    let mut seq = 0;
    for back in (0..38).rev() {
        let emitted = month_start(now, back) + Duration::days(1) + Duration::hours(6);
        if emitted > now {
            continue;
        }
        seq += 1;
        let key = format!("{}-{back}", seed.id);
        let currency = seed.currencies[(back as usize / 7) % seed.currencies.len()];
        let status = match back {
            0 => InvoiceStatus::Pending,
            1 => InvoiceStatus::Processing,
            2 => InvoiceStatus::PaymentHeld,
            5 => InvoiceStatus::WontPay,
            7 => InvoiceStatus::Canceled,
            11 => InvoiceStatus::Refunded,
            _ => InvoiceStatus::Paid,
        };
        let ht = pick(&key, 4_000, 95_000) as f64 / 100.0;
        out.push(invoice(InvoiceParts {
            number: format!("{prefix}{}-{seq:04}", emitted.year()),
            owner: &seed.id,
            address: &address,
            emitted,
            status,
            currency,
            ht,
            credit: false,
            now,
        }));
        if back % 9 == 4 {
            seq += 1;
            out.push(invoice(InvoiceParts {
                number: format!("{prefix}{}-{seq:04}", emitted.year()),
                owner: &seed.id,
                address: &address,
                emitted: emitted + Duration::days(12),
                status: InvoiceStatus::Paid,
                currency,
                ht: ht / 4.0,
                credit: true,
                now,
            }));
        }
    }
    out.reverse();
    out
}

struct InvoiceParts<'a> {
    number: String,
    owner: &'a str,
    address: &'a Address,
    emitted: OffsetDateTime,
    status: InvoiceStatus,
    currency: &'a str,
    ht: f64,
    credit: bool,
    now: OffsetDateTime,
}

fn invoice(p: InvoiceParts<'_>) -> Invoice {
    let paid = matches!(p.status, InvoiceStatus::Paid | InvoiceStatus::Refunded);
    let pay_date =
        (paid && p.emitted + Duration::days(3) <= p.now).then(|| p.emitted + Duration::days(3));
    let kind = if p.credit {
        InvoiceKind::CreditNote
    } else {
        InvoiceKind::Invoice
    };
    let begin = month_start(p.emitted - Duration::days(20), 0);
    Invoice {
        invoice_number: p.number.clone(),
        kind: kind.clone(),
        type_: Some(kind),
        owner_id: p.owner.to_owned(),
        address: p.address.clone(),
        emission_date: Some(p.emitted),
        pay_date,
        status: p.status,
        currency: p.currency.to_owned(),
        price_factor: Some(1.0),
        discount: Some(0.0),
        vat_percent: Some(20.0),
        total_tax_excluded: amount(p.currency, p.ht),
        total_tax: amount(p.currency, p.ht * 0.2),
        category: Some("CLOUD".into()),
        payment_provider: Some(
            if p.currency == "USD" {
                "PAYPAL"
            } else {
                "STRIPE"
            }
            .into(),
        ),
        transaction_id: paid.then(|| format!("txn_{}", &sha(&p.number)[..16])),
        customer_order_id: None,
        origin: Some(if p.credit { "manual" } else { "automatic" }.into()),
        consumption_begin_date: Some(begin),
        consumption_end_date: Some(p.emitted - Duration::days(1)),
    }
}

/// Deployments of one application, oldest first, over the last eight weeks.
fn deployments(
    owner: &str,
    app: &str,
    name: &str,
    index: usize,
    now: OffsetDateTime,
) -> Vec<Deployment> {
    let count = 24 + (index * 5) % 12;
    let actions = [
        (OriginAction::Deploy, "git push", "GIT"),
        (OriginAction::Deploy, "console redeploy", "CONSOLE"),
        (
            OriginAction::Upscale,
            "autoscaling: CPU above 80%",
            "SCHEDULER",
        ),
        (
            OriginAction::Downscale,
            "autoscaling: CPU below 20%",
            "SCHEDULER",
        ),
        (OriginAction::Replace, "hypervisor maintenance", "SCHEDULER"),
        (OriginAction::Deploy, "clever deploy", "CLI"),
    ];
    let mut out: Vec<Deployment> = Vec::with_capacity(count);
    for i in 0..count {
        let key = format!("{app}-{i}");
        let back_hours = ((count - i) as i64) * 52 - pick(&key, 0, 30) as i64;
        let start = now - Duration::hours(back_hours) - Duration::minutes(pick(&key, 0, 59) as i64);
        let last = i + 1 == count;
        let roll = pick(&key, 0, 100);
        let (action, cause, source) =
            actions[(pick(&key, 0, 1000) as usize) % actions.len()].clone();
        let mut state = match roll {
            0..=11 => DeploymentState::Failed,
            12..=17 => DeploymentState::Cancelled,
            _ => DeploymentState::Succeeded,
        };
        let mut action = action;
        let mut cause = cause.to_owned();
        if i == 3 {
            action = OriginAction::Undeploy;
            cause = "application stopped".into();
        }
        if i == 5 {
            action = OriginAction::Cancel;
            cause = "deployment cancelled by user".into();
            state = DeploymentState::Cancelled;
        }
        if i == 6 && index == 0 {
            action = OriginAction::Unknown("ROLLBACK".into());
        }
        let mut start = start;
        // Now and then the scheduler replaces instances while a deployment still runs, so
        // the timeline has overlapping deployments to lay out.
        if i % 9 == 8
            && !last
            && let Some(prev) = out.last().and_then(|p| p.start_date)
        {
            action = OriginAction::Replace;
            cause = "hypervisor maintenance during a deployment".into();
            start = prev + Duration::seconds(45);
        }
        if last {
            // The running applications end on a live deployment; the others on a success.
            state = match name {
                "billing-worker" => DeploymentState::WorkInProgress,
                "search" => DeploymentState::TaskInProgress,
                "shop" => DeploymentState::Queued,
                "web-frontend" => DeploymentState::Succeeded,
                _ => state,
            };
            if !state.is_final() {
                start = now - Duration::minutes(3);
            }
        }
        let queued = pick(&key, 2, 40) as i64;
        let build = pick(&key, 40, 420) as i64;
        let mut steps = vec![Step {
            state: DeploymentState::Queued,
            date: Some(start),
        }];
        let wip = start + Duration::seconds(queued);
        if state != DeploymentState::Queued {
            steps.push(Step {
                state: DeploymentState::WorkInProgress,
                date: Some(wip),
            });
        }
        if state == DeploymentState::TaskInProgress {
            steps.push(Step {
                state: DeploymentState::TaskInProgress,
                date: Some(wip + Duration::seconds(60)),
            });
        }
        if state.is_final() {
            let cut = if state == DeploymentState::Cancelled {
                build / 3
            } else {
                build
            };
            steps.push(Step {
                state: state.clone(),
                date: Some(wip + Duration::seconds(cut)),
            });
        }
        out.push(Deployment {
            id: format!("deployment_{}", uuid(&key)),
            owner_id: owner.to_owned(),
            application_id: app.to_owned(),
            start_date: Some(start),
            state,
            steps,
            version: Version {
                commit_id: Some(sha(&key)),
            },
            origin: Origin {
                action,
                cause: Some(cause),
                source: Some(source.to_owned()),
                author_id: Some(user_id()),
                constraints: vec![],
                priority: if i % 11 == 10 {
                    DeploymentPriority::Urgent
                } else {
                    DeploymentPriority::Default
                },
            },
            has_dedicated_build: pick(&key, 0, 3) == 0,
        });
    }
    out
}

const FLAVORS: [&str; 9] = ["pico", "nano", "XS", "S", "M", "L", "XL", "2XL", "3XL"];

/// Instances of the last deployments: a build VM and run instances each; old ones deleted.
fn instances(owner: &str, app: &str, deps: &[Deployment], now: OffsetDateTime) -> Vec<Instance> {
    let mut out = Vec::new();
    let recent = deps.len().saturating_sub(6);
    let flavor_base = pick(app, 0, FLAVORS.len() as u64) as usize;
    for (n, d) in deps[recent..].iter().enumerate() {
        let last = n + recent + 1 == deps.len();
        let start = d.start_date.unwrap_or(now);
        let end = d.end_date();
        let mk = |idx: u32, build: bool, state: InstanceState, deleted: Option<OffsetDateTime>| {
            let key = format!("{}-{idx}-{build}", d.id);
            let flavor = FLAVORS[(flavor_base + idx as usize + usize::from(build)) % FLAVORS.len()];
            Instance {
                id: uuid(&key),
                owner_id: owner.to_owned(),
                application_id: app.to_owned(),
                deployment_id: d.id.clone(),
                name: format!(
                    "{} {}",
                    ["Brave", "Calm", "Eager", "Noble"][idx as usize % 4],
                    ["Ada", "Grace", "Alan", "Edsger"][(pick(&key, 0, 4)) as usize]
                ),
                flavor: if build { "M".into() } else { flavor.to_owned() },
                index: Some(idx),
                state,
                hypervisor_id: Some(format!("hv-{}", pick(&key, 10, 99))),
                creation_date: Some(start + Duration::seconds(if build { 5 } else { 60 })),
                deletion_date: deleted,
                network: Network {
                    ip: Some(format!(
                        "10.{}.{}.{}",
                        pick(&key, 1, 250),
                        pick(&key, 1, 250) / 2,
                        pick(&key, 2, 250) / 3 + 2
                    )),
                    port: Some(if build { 22 } else { 8080 }),
                },
                is_build_vm: build,
            }
        };
        if last && !d.state.is_final() {
            out.push(mk(0, true, InstanceState::Building, None));
            out.push(mk(0, false, InstanceState::Booting, None));
            out.push(mk(1, false, InstanceState::Starting, None));
            out.push(mk(2, false, InstanceState::Deploying, None));
            continue;
        }
        let done = end.unwrap_or(start + Duration::minutes(5));
        out.push(mk(0, true, InstanceState::Deleted, Some(done)));
        if last {
            out.push(mk(0, false, InstanceState::Up, None));
            out.push(mk(1, false, InstanceState::Up, None));
            out.push(mk(2, false, InstanceState::Ready, None));
        } else if n + recent + 2 == deps.len() {
            out.push(mk(0, false, InstanceState::Stopping, None));
            out.push(mk(1, false, InstanceState::MigrationInProgress, None));
            out.push(mk(2, false, InstanceState::TaskInProgress, None));
            out.push(mk(3, false, InstanceState::Ghost, None));
        } else {
            out.push(mk(
                0,
                false,
                InstanceState::Deleted,
                Some(done + Duration::hours(30)),
            ));
            out.push(mk(
                1,
                false,
                InstanceState::Deleted,
                Some(done + Duration::hours(30)),
            ));
        }
    }
    out
}

fn load_balancers(name: &str, index: usize) -> Vec<LoadBalancer> {
    let zones: &[(&str, &str)] = if index == 0 {
        &[("par", "91.208.207"), ("rbx", "185.42.117")]
    } else {
        &[("par", "91.208.207")]
    };
    zones
        .iter()
        .map(|(zone, net)| LoadBalancer {
            id: format!("lb_{}", uuid(&format!("{name}-{zone}"))),
            name: (*zone).to_owned(),
            zone_id: Some(uuid(zone)),
            dns: Dns {
                cname: Some(format!("domain.{zone}.clever-cloud.com.")),
                a: vec![
                    format!("{net}.214"),
                    format!("{net}.215"),
                    format!("{net}.216"),
                ],
            },
        })
        .collect()
}

fn zones() -> Vec<(Zone, Option<String>)> {
    let z = |name: &str,
             city: &str,
             country: &str,
             cc: &str,
             lat: f64,
             lon: f64,
             tags: &[&str],
             net: &str| Zone {
        id: uuid(name),
        name: name.to_owned(),
        country: country.to_owned(),
        country_code: cc.to_owned(),
        city: city.to_owned(),
        display_name: Some(format!("{city} ({})", name.to_uppercase())),
        lat: Some(lat),
        lon: Some(lon),
        outbound_ips: vec![format!("{net}.0/24"), format!("{net}.128/25")],
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    };
    let cc = "infra:clever-cloud";
    let ovh = "infra:ovh";
    let apps = "for:applications";
    vec![
        (
            z(
                "par",
                "Paris",
                "France",
                "FR",
                48.8566,
                2.3522,
                &[cc, "region:eu", apps],
                "91.208.207",
            ),
            None,
        ),
        (
            z(
                "rbx",
                "Roubaix",
                "France",
                "FR",
                50.6942,
                3.1746,
                &[ovh, "region:eu", apps],
                "185.42.117",
            ),
            None,
        ),
        (
            z(
                "gra",
                "Gravelines",
                "France",
                "FR",
                50.9871,
                2.1255,
                &[ovh, "region:eu"],
                "54.38.193",
            ),
            None,
        ),
        (
            z(
                "wsw",
                "Warsaw",
                "Poland",
                "PL",
                52.2297,
                21.0122,
                &[ovh, "region:eu", apps],
                "57.128.160",
            ),
            None,
        ),
        (
            z(
                "mtl",
                "Montreal",
                "Canada",
                "CA",
                45.5019,
                -73.5674,
                &[ovh, "region:na", apps],
                "51.222.40",
            ),
            None,
        ),
        (
            z(
                "sao",
                "São Paulo",
                "Brazil",
                "BR",
                -23.5558,
                -46.6396,
                &[cc, "region:sa"],
                "177.54.150",
            ),
            None,
        ),
        (
            z(
                "jnb",
                "Johannesburg",
                "South Africa",
                "ZA",
                -26.2041,
                28.0473,
                &[cc, "region:af"],
                "102.67.140",
            ),
            None,
        ),
        (
            z(
                "sgp",
                "Singapore",
                "Singapore",
                "SG",
                1.3521,
                103.8198,
                &[ovh, "region:ap", apps],
                "139.99.16",
            ),
            None,
        ),
        (
            z(
                "syd",
                "Sydney",
                "Australia",
                "AU",
                -33.8688,
                151.2093,
                &[ovh, "region:ap", apps],
                "139.99.128",
            ),
            None,
        ),
        (
            z(
                "acme-fra",
                "Frankfurt",
                "Germany",
                "DE",
                50.1109,
                8.6821,
                &[cc, "scope:private", "region:eu", "for:par-only"],
                "10.200.0",
            ),
            Some(acme_id()),
        ),
    ]
}

fn seed_policies(name: &str) -> StoragePolicies {
    if name == "events" {
        StoragePolicies {
            retention_policies: Some(Policy {
                size_in_bytes: Some(10 * 1024 * 1024 * 1024),
                duration_in_minutes: Some(7 * 24 * 60),
            }),
            offload_policies: Some(Policy {
                size_in_bytes: Some(-1),
                duration_in_minutes: Some(24 * 60),
            }),
        }
    } else {
        StoragePolicies::default()
    }
}

fn seed_operator(owner: &str, addon: &SummaryAddon, apps: &[SummaryApp]) -> Option<Operator> {
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

fn seed_drains(owner: &str, app: &str, full: bool, now: OffsetDateTime) -> Vec<Drain> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_world_has_every_kind_of_thing() {
        let (w, m) = World::build(datetime!(2026-11-27 04:00 UTC));
        let owners = w.summary.clone().owners();
        assert_eq!(owners.len(), 4);
        assert!(owners[0].personal);
        let states: Vec<_> = w
            .invoices
            .values()
            .flatten()
            .map(|i| i.status.clone())
            .collect();
        for s in InvoiceStatus::KNOWN {
            assert!(states.contains(s), "no invoice {s}");
        }
        assert!(w.invoices.values().flatten().any(|i| i.is_credit_note()));
        let currencies: std::collections::HashSet<_> = w.invoices[&globex_id()]
            .iter()
            .map(|i| i.currency.clone())
            .collect();
        assert_eq!(currencies.len(), 2);
        let dstates: Vec<_> = w
            .deployments
            .values()
            .flatten()
            .map(|d| d.state.clone())
            .collect();
        for s in [
            DeploymentState::Queued,
            DeploymentState::Succeeded,
            DeploymentState::Failed,
            DeploymentState::Cancelled,
            DeploymentState::WorkInProgress,
            DeploymentState::TaskInProgress,
        ] {
            assert!(dstates.contains(&s), "no deployment {s}");
        }
        let istates: Vec<_> = w
            .instances
            .values()
            .flatten()
            .map(|i| i.state.clone())
            .collect();
        for s in InstanceState::KNOWN {
            assert!(istates.contains(s), "no instance {s}");
        }
        let rtypes: Vec<_> = m
            .drains
            .values()
            .flatten()
            .map(|d| d.recipient.type_.clone())
            .collect();
        for t in RecipientType::KNOWN {
            assert!(rtypes.contains(t), "no drain {t}");
        }
        assert_eq!(m.operators.len(), 5);
        assert_eq!(m.pulsar.len(), 2);
        assert!(w.zones.iter().any(|(z, o)| z.is_private() && o.is_some()));
    }
}
