package client

import (
	"context"
	"net/url"
)

// BillingService reads billing usage. cldsync does not manage billing; the
// service exists for completeness of the SDK.
type BillingService service

// BillingUsage is one plan's entry of BillingUsageResponse (a top-level
// array).
type BillingUsage struct {
	PlanName    string        `json:"plan_name"`
	MetricUsage []MetricUsage `json:"metric_usage"`
}

// MetricUsage is one metric of a plan.
type MetricUsage struct {
	Metric        string       `json:"metric"`
	Limit         float64      `json:"limit"`
	Cycles        []UsageCycle `json:"cycles,omitempty"`
	MonthlyCycles []UsageCycle `json:"monthly_cycles,omitempty"`
}

// UsageCycle is one billing cycle; days are yyyy-mm-dd.
type UsageCycle struct {
	FromDay                     string                    `json:"from_day"`
	ToDay                       string                    `json:"to_day"`
	Usage                       float64                   `json:"usage"`
	Breakdown                   *UsageBreakdown           `json:"breakdown,omitempty"`
	ProductEnvironmentBreakdown []CloudAssetTypeBreakdown `json:"product_environment_breakdown,omitempty"`
}

// UsageBreakdown splits a cycle's usage by asset type.
type UsageBreakdown struct {
	StorageImage         float64 `json:"storage_image"`
	StorageVideo         float64 `json:"storage_video"`
	StorageRaw           float64 `json:"storage_raw"`
	TransformationsImage float64 `json:"transformations_image"`
	TransformationsVideo float64 `json:"transformations_video"`
	BandwidthImage       float64 `json:"bandwidth_image"`
	BandwidthVideo       float64 `json:"bandwidth_video"`
	BandwidthRaw         float64 `json:"bandwidth_raw"`
	ImageImpressions     float64 `json:"image_impressions"`
	VideoSeconds         float64 `json:"video_seconds"`
}

// CloudAssetTypeBreakdown is UsageBreakdown for one product environment.
type CloudAssetTypeBreakdown struct {
	UsageBreakdown
	CloudName string `json:"cloud_name"`
}

// BillingUsageOptions are getBillingUsage's query parameters.
type BillingUsageOptions struct {
	Year                    int // 0: the API's default
	IncludeProdEnvBreakdown bool
}

// GetUsage returns billing usage per plan.
//
// operationId: getBillingUsage — GET /v1_1/provisioning/accounts/{account_id}/billing_usage
func (s *BillingService) GetUsage(ctx context.Context, opts *BillingUsageOptions) ([]BillingUsage, error) {
	q := query{}
	if opts != nil {
		q.num("year", opts.Year)
		q.flag("include_prodenv_breakdown", opts.IncludeProdEnvBreakdown)
	}
	var out []BillingUsage
	if err := s.client.call(ctx, request{op: "getBillingUsage", query: url.Values(q)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
