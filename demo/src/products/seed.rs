//! The seeded products of the demo world.

use crate::cast::acme_id;
use crate::ids::uuid;
use app::model::zones::Zone;

pub(crate) fn seed_zones() -> Vec<(Zone, Option<String>)> {
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
