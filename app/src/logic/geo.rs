//! The world map's projection: equirectangular, cropped to the latitudes where people live
//! (84° N to 60° S), so that a zone's marker and the coastlines drawn on the server share one
//! pure function.

/// Map width in SVG units.
pub const MAP_W: f64 = 1000.0;
/// Northernmost latitude shown.
pub const LAT_MAX: f64 = 84.0;
/// Southernmost latitude shown.
pub const LAT_MIN: f64 = -60.0;
/// Map height in SVG units (same scale as the width: 360° wide).
pub const MAP_H: f64 = MAP_W * (LAT_MAX - LAT_MIN) / 360.0;

/// Longitude into `[-180, 180]` (181° is -179°: the date line wraps).
pub fn wrap_lon(lon: f64) -> f64 {
    if (-180.0..=180.0).contains(&lon) {
        return lon;
    }
    let w = (lon + 180.0).rem_euclid(360.0) - 180.0;
    if w == -180.0 && lon > 0.0 { 180.0 } else { w }
}

/// Where `(lon, lat)` is drawn; latitudes beyond the map are held at its edge. `None` for a
/// coordinate that is not a number.
pub fn project(lon: f64, lat: f64) -> Option<(f64, f64)> {
    if !lon.is_finite() || !lat.is_finite() {
        return None;
    }
    let x = (wrap_lon(lon) + 180.0) / 360.0 * MAP_W;
    let y = (LAT_MAX - lat.clamp(LAT_MIN, LAT_MAX)) / (LAT_MAX - LAT_MIN) * MAP_H;
    Some((x, y))
}

/// An SVG path of rings given as text: one ring per line of `lon,lat` pairs (lines starting
/// with `#` are comments). Each ring becomes a closed subpath.
pub fn land_path(rings: &str) -> String {
    let mut d = String::new();
    for line in rings.lines().filter(|l| !l.starts_with('#')) {
        let mut first = true;
        let mut last_x = 0.0;
        for pair in line.split_whitespace() {
            let Some((lon, lat)) = pair.split_once(',') else {
                continue;
            };
            let (Ok(lon), Ok(lat)) = (lon.parse::<f64>(), lat.parse::<f64>()) else {
                continue;
            };
            let Some((x, y)) = project(lon, lat) else {
                continue;
            };
            // A ring that crosses the date line jumps from one edge to the other: move there
            // instead of drawing a line across the whole map.
            let jump = !first && (x - last_x).abs() > MAP_W / 2.0;
            d.push_str(&format!(
                "{}{x:.1} {y:.1}",
                if first || jump { "M" } else { "L" }
            ));
            first = false;
            last_x = x;
        }
        if !first {
            d.push('Z');
        }
    }
    d
}

/// A two-letter country code as shown beside a country ("FR"), or nothing. Plain letters:
/// flag emoji need a font many systems lack (Windows shows two letters in boxes).
pub fn country_code(code: &str) -> String {
    let code = code.trim();
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return String::new();
    }
    code.to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    #[test]
    fn the_four_corners() {
        assert!(near(project(-180.0, LAT_MAX).unwrap(), (0.0, 0.0)));
        assert!(near(project(180.0, LAT_MAX).unwrap(), (MAP_W, 0.0)));
        assert!(near(project(-180.0, LAT_MIN).unwrap(), (0.0, MAP_H)));
        assert!(near(project(180.0, LAT_MIN).unwrap(), (MAP_W, MAP_H)));
        assert!(
            near(project(0.0, 12.0).unwrap(), (MAP_W / 2.0, MAP_H / 2.0)),
            "the centre"
        );
    }

    #[test]
    fn poles_are_held_at_the_edges() {
        assert_eq!(project(10.0, 90.0).unwrap().1, 0.0);
        assert_eq!(project(10.0, -90.0).unwrap().1, MAP_H);
        assert_eq!(project(f64::NAN, 0.0), None);
    }

    #[test]
    fn the_date_line_wraps() {
        assert_eq!(wrap_lon(181.0), -179.0);
        assert_eq!(wrap_lon(-181.0), 179.0);
        assert_eq!(wrap_lon(540.0), 180.0);
        assert_eq!(wrap_lon(180.0), 180.0);
        let east = project(179.9, 0.0).unwrap().0;
        let west = project(-179.9, 0.0).unwrap().0;
        assert!(
            east > MAP_W - 1.0 && west < 1.0,
            "the two sides of the date line are the map's edges"
        );
        assert!(near(
            project(360.0 + 2.35, 48.86).unwrap(),
            project(2.35, 48.86).unwrap()
        ));
    }

    #[test]
    fn paris_is_where_it_should_be() {
        let (x, y) = project(2.35, 48.86).unwrap();
        assert!((x - 506.5).abs() < 0.1, "{x}");
        assert!((y - (LAT_MAX - 48.86) / 144.0 * MAP_H).abs() < 1e-9);
    }

    #[test]
    fn rings_become_closed_subpaths() {
        let d = land_path("# comment\n0,0 10,0 10,10 0,0\nbad pair 5,5 6,6 7,7\n");
        assert_eq!(d.matches('M').count(), 2);
        assert_eq!(d.matches('Z').count(), 2);
        assert!(d.starts_with("M500.0 233.3L527.8 233.3"), "{d}");
    }

    #[test]
    fn a_ring_across_the_date_line_is_not_drawn_across_the_map() {
        let d = land_path("179,65 -179,65 -179,66 179,66 179,65\n");
        assert_eq!(d.matches('M').count(), 3, "{d}");
    }

    #[test]
    fn country_codes_are_two_letters_or_nothing() {
        assert_eq!(country_code("FR"), "FR");
        assert_eq!(country_code("sg"), "SG");
        assert_eq!(country_code("F"), "");
        assert_eq!(country_code("1A"), "");
    }
}
