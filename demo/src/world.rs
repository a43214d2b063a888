//! The demo's seeded world, built once at start relative to the start time so dates look
//! current: it assembles the cast (`cast`) with what each API area seeds
//! (`billing::seed::seed_invoices`, `orchestration::seed::…`, …), and holds nothing else.

use crate::billing::seed::seed_invoices;
use crate::cast::{app_id, owners_with, real_id, user_id};
use crate::drains::seed::seed_drains;
use crate::ids::{sha, uuid};
use crate::operators::seed::seed_operator;
use crate::orchestration::seed::{seed_deployments, seed_instances, seed_load_balancers};
use crate::products::seed::seed_zones;
use crate::pulsar::seed::seed_policies;
use app::model::billing::Invoice;
use app::model::deployments::Deployment;
use app::model::drains::Drain;
use app::model::instances::Instance;
use app::model::load_balancers::LoadBalancer;
use app::model::navigation::{
    SelfUser, Summary, SummaryAddon, SummaryApp, SummaryOrganisation, SummaryUser,
};
use app::model::operators::Operator;
use app::model::pulsar::StoragePolicies;
use app::model::zones::Zone;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};

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
    /// Restarts, redeploys, stops and cancellations asked since the start.
    pub(crate) runs: crate::orchestration::runs::Runs,
}

impl World {
    /// Builds the world as of `now`, with `extra_invoices` more invoices a month per owner and
    /// `fleet.0` more organisations of `fleet.1` applications each.
    pub fn build(
        now: OffsetDateTime,
        extra_invoices: usize,
        fleet: (usize, usize),
    ) -> (World, Mutable) {
        let now = now.replace_nanosecond(0).unwrap_or(now);
        let seeds = owners_with(fleet.0, fleet.1);
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
            zones: seed_zones(),
        };
        let mut mutable = Mutable {
            drains: HashMap::new(),
            operators: HashMap::new(),
            pulsar: HashMap::new(),
            runs: Default::default(),
        };
        for seed in &seeds {
            let apps: Vec<SummaryApp> = seed
                .apps
                .iter()
                .map(|a| SummaryApp {
                    id: app_id(&a.name),
                    name: a.name.to_owned(),
                    instance_type: Some(a.kind.to_owned()),
                    instance_variant: Some(a.kind.to_owned()),
                    variant_slug: Some(a.kind.to_owned()),
                    archived: false,
                    homogeneous: true,
                    state: a.state.clone(),
                    commit: Some(sha(&a.name)),
                })
                .collect();
            let addons: Vec<SummaryAddon> = seed
                .addons
                .iter()
                .map(|a| SummaryAddon {
                    id: format!("addon_{}", uuid(&a.name)),
                    name: a.name.to_owned(),
                    real_id: real_id(a.prefix, &a.name),
                    provider_id: a.provider.to_owned(),
                })
                .collect();
            for (i, a) in seed.apps.iter().enumerate() {
                let id = app_id(&a.name);
                world.owner_of.insert(id.clone(), seed.id.clone());
                let deps = seed_deployments(&seed.id, &id, &a.name, i, now);
                world
                    .instances
                    .insert(id.clone(), seed_instances(&seed.id, &id, &deps, now));
                world.deployments.insert(id.clone(), deps);
                world
                    .load_balancers
                    .insert(id.clone(), seed_load_balancers(&a.name, i));
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
                mutable.drains.insert(
                    a.real_id.clone(),
                    crate::drains::seed::seed_addon_drains(&seed.id, &a.real_id, &a.name, now),
                );
            }
            world.invoices.insert(
                seed.id.clone(),
                seed_invoices(seed, now, extra_invoices, &world.instances),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cast::globex_id;
    use app::model::billing::InvoiceStatus;
    use app::model::deployments::DeploymentState;
    use app::model::drains::RecipientType;
    use app::model::instances::InstanceState;
    use time::macros::datetime;

    #[test]
    fn the_world_has_every_kind_of_thing() {
        let (w, m) = World::build(datetime!(2026-11-27 04:00 UTC), 0, (0, 0));
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
