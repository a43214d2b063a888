//! Invoices (`/v4/billing/organisations/{id}/invoices`). Raw JSON is snake_case.

use super::{Timestamp, date, lenient_list, nullable};
use serde::{Deserialize, Serialize};

wire_enum!(
    /// Invoice `status`.
    InvoiceStatus {
        Pending => "PENDING",
        Processing => "PROCESSING",
        PaymentHeld => "PAYMENTHELD",
        Paid => "PAID",
        Canceled => "CANCELED",
        Refunded => "REFUNDED",
        WontPay => "WONTPAY",
    }
);

wire_enum!(
    /// Invoice `kind` (new clients) or `type` (the console): an invoice or a credit note.
    InvoiceKind {
        Invoice => "INVOICE",
        CreditNote => "CREDITNOTE",
    }
);

/// A money amount as the upstream sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Amount {
    #[serde(deserialize_with = "nullable")]
    pub currency: String,
    #[serde(deserialize_with = "nullable")]
    pub amount: f64,
    #[serde(deserialize_with = "nullable")]
    pub amount_formatted: String,
    #[serde(deserialize_with = "nullable")]
    pub default_display: String,
}

/// The billing address printed on an invoice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub address_id: Option<String>,
    pub owner_id: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub zipcode: Option<String>,
    pub country_alpha2: Option<String>,
    pub vat_number: Option<String>,
    pub vat_percent: Option<f64>,
    pub customer_cost_center: Option<String>,
    pub customer_purchase_order: Option<String>,
}

/// One invoice, from the list or the detail call (the detail fills more fields).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Invoice {
    #[serde(deserialize_with = "nullable")]
    pub invoice_number: String,
    pub kind: InvoiceKind,
    /// The console's name for `kind`; either may be present.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<InvoiceKind>,
    #[serde(deserialize_with = "nullable")]
    pub owner_id: String,
    #[serde(deserialize_with = "nullable")]
    pub address: Address,
    #[serde(with = "date")]
    pub emission_date: Option<Timestamp>,
    #[serde(with = "date")]
    pub pay_date: Option<Timestamp>,
    pub status: InvoiceStatus,
    #[serde(deserialize_with = "nullable")]
    pub currency: String,
    pub price_factor: Option<f64>,
    pub discount: Option<f64>,
    pub vat_percent: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    pub total_tax_excluded: Amount,
    #[serde(deserialize_with = "nullable")]
    pub total_tax: Amount,
    pub category: Option<String>,
    pub payment_provider: Option<String>,
    pub transaction_id: Option<String>,
    pub customer_order_id: Option<String>,
    pub origin: Option<String>,
    #[serde(with = "date")]
    pub consumption_begin_date: Option<Timestamp>,
    #[serde(with = "date")]
    pub consumption_end_date: Option<Timestamp>,
    /// Line items (detail call only): instances' running time, per application.
    #[serde(
        deserialize_with = "lenient_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub uptimes: Vec<Uptime>,
    /// Line items (detail call only): metered services (storage, traffic, add-ons…).
    #[serde(
        deserialize_with = "lenient_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub countables: Vec<Countable>,
}

/// An uptime line item: one application's instances of one category over the period; its
/// `price` is the sum of its details.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Uptime {
    pub item_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub price: f64,
    pub app_id: Option<String>,
    pub owner_id: Option<String>,
    pub category: Option<String>,
    pub sub_category: Option<String>,
    #[serde(deserialize_with = "lenient_list")]
    pub details: Vec<UptimeDetail>,
}

/// One instance's running time within an uptime line.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UptimeDetail {
    pub instance_id: Option<String>,
    pub flavor_name: Option<String>,
    pub zone_id: Option<String>,
    pub runtime_policy_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub price: f64,
    #[serde(with = "date")]
    pub consumption_start: Option<Timestamp>,
    #[serde(with = "date")]
    pub consumption_end: Option<Timestamp>,
}

/// A countable line item: a metered service of an application (or of the owner).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Countable {
    pub item_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub price: f64,
    pub app_id: Option<String>,
    pub owner_id: Option<String>,
    pub service: Option<String>,
    pub unit_name: Option<String>,
    pub zone_id: Option<String>,
    pub policy_id: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub quantity: f64,
    pub plan_id: Option<String>,
}

impl Invoice {
    /// Whether this is a credit note (by `kind` or the console's `type`).
    pub fn is_credit_note(&self) -> bool {
        self.kind == InvoiceKind::CreditNote || self.type_ == Some(InvoiceKind::CreditNote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_invoice() {
        let json = r#"{
          "invoice_number": "CC-2024-0042", "kind": "INVOICE", "owner_id": "orga_1",
          "address": {"address_id": "a1", "owner_id": "orga_1", "name": "Ada", "company": "Acme",
            "address": "1 rue X", "city": "Nantes", "zipcode": "44000", "country_alpha2": "FR",
            "vat_number": "FR00", "vat_percent": 20.0, "customer_cost_center": "",
            "customer_purchase_order": ""},
          "emission_date": "2024-02-01T00:00:00Z", "pay_date": null, "status": "PENDING",
          "currency": "EUR", "price_factor": 1.0, "discount": 0.0, "vat_percent": 20.0,
          "total_tax_excluded": {"currency": "EUR", "amount": 100.5, "amount_formatted": "100.50",
            "default_display": "100.50 €"},
          "total_tax": {"currency": "EUR", "amount": 20.1, "amount_formatted": "20.10",
            "default_display": "20.10 €"},
          "category": "", "payment_provider": "STRIPE", "transaction_id": "t",
          "customer_order_id": ""
        }"#;
        let inv: Invoice = serde_json::from_str(json).unwrap();
        assert_eq!(inv.status, InvoiceStatus::Pending);
        assert_eq!(inv.total_tax_excluded.amount, 100.5);
        assert_eq!(inv.address.city.as_deref(), Some("Nantes"));
        assert!(inv.emission_date.is_some());
        assert!(inv.pay_date.is_none());
        assert!(!inv.is_credit_note());
    }

    #[test]
    fn missing_and_null_fields_do_not_fail() {
        let inv: Invoice =
            serde_json::from_str(r#"{"invoice_number": null, "total_tax": null, "status": "NEW"}"#)
                .unwrap();
        assert_eq!(inv.invoice_number, "");
        assert_eq!(inv.status, InvoiceStatus::Unknown("NEW".into()));
        assert_eq!(inv.total_tax, Amount::default());
    }

    #[test]
    fn line_items_are_read_and_a_bad_one_is_dropped_alone() {
        let json = r#"{
          "invoice_number": "CC-1",
          "uptimes": [
            {"item_id": "u1", "price": 12.5, "app_id": "app_1", "category": "RUNTIME",
             "details": [{"instance_id": "i1", "flavor_name": "XS", "zone_id": "par",
               "price": 12.5, "consumption_start": "2024-01-01T00:00:00Z",
               "consumption_end": "2024-01-31T00:00:00Z", "new_field": 1},
               {"price": "not a number"}]},
            {"price": {"oops": true}},
            {"item_id": "u3", "price": null, "app_id": null, "details": null}
          ],
          "countables": [
            {"item_id": "c1", "price": 3.2, "app_id": "app_1", "service": "fs-bucket",
             "unit_name": "GiB", "quantity": 42.5},
            "garbage"
          ]
        }"#;
        let inv: Invoice = serde_json::from_str(json).unwrap();
        assert_eq!(
            inv.uptimes.len(),
            2,
            "the malformed uptime alone is dropped"
        );
        assert_eq!(inv.uptimes[0].details.len(), 1);
        assert_eq!(inv.uptimes[0].details[0].flavor_name.as_deref(), Some("XS"));
        assert!(inv.uptimes[0].details[0].consumption_end.is_some());
        assert_eq!(inv.uptimes[1].price, 0.0);
        assert!(inv.uptimes[1].details.is_empty());
        assert_eq!(inv.countables.len(), 1);
        assert_eq!(inv.countables[0].quantity, 42.5);
        let list: Invoice = serde_json::from_str(r#"{"uptimes": null}"#).unwrap();
        assert!(list.uptimes.is_empty() && list.countables.is_empty());
    }

    #[test]
    fn credit_notes_are_seen_by_kind_or_type() {
        let a: Invoice = serde_json::from_str(r#"{"kind":"CREDITNOTE"}"#).unwrap();
        let b: Invoice = serde_json::from_str(r#"{"type":"CREDITNOTE"}"#).unwrap();
        assert!(a.is_credit_note() && b.is_credit_note());
    }
}

/// An organisation's prices in one zone (`GET …/price-system?zone_id`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceSystem {
    pub zone_id: String,
    pub currency: String,
    #[serde(deserialize_with = "lenient_list")]
    pub runtime: Vec<RuntimePrice>,
}

/// The price of a runtime flavor, per `time_unit` (an hour, `PT1H`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimePrice {
    pub runtime_policy_id: Option<String>,
    pub source: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub flavor: String,
    pub time_unit: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub price: f64,
    pub slug_id: Option<String>,
}

/// The credits left to an organisation (`GET …/credits/summary`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CreditsSummary {
    #[serde(deserialize_with = "nullable")]
    pub prepaid_credit: f64,
    #[serde(deserialize_with = "nullable")]
    pub free_credit: f64,
    #[serde(deserialize_with = "nullable")]
    pub currency: String,
}
