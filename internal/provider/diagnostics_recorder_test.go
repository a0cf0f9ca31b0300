package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// diagRecorder wraps the provider server to keep the diagnostics of refresh
// and plan, because terraform-plugin-testing offers no check on warnings.
type diagRecorder struct {
	mu    sync.Mutex
	diags []string
}

func (r *diagRecorder) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"prefectimage": func() (tfprotov6.ProviderServer, error) {
			server, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				return nil, err
			}
			return &recordingServer{ProviderServer: server, recorder: r}, nil
		},
	}
}

func (r *diagRecorder) record(diags []*tfprotov6.Diagnostic) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range diags {
		r.diags = append(r.diags, fmt.Sprintf("%s: %s: %s", severity(d.Severity), d.Summary, d.Detail))
	}
}

func severity(s tfprotov6.DiagnosticSeverity) string {
	if s == tfprotov6.DiagnosticSeverityWarning {
		return "warning"
	}
	return "error"
}

func (r *diagRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

// expectWarning is a step check: some recorded warning matches pattern.
func (r *diagRecorder) expectWarning(pattern string) func(*terraform.State) error {
	return r.expect("warning", pattern)
}

// expect is a step check: some recorded diagnostic of severity ("warning"
// or "error") matches pattern.
func (r *diagRecorder) expect(severity, pattern string) func(*terraform.State) error {
	re := regexp.MustCompile(pattern)
	return func(*terraform.State) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, d := range r.diags {
			if strings.HasPrefix(d, severity+": ") && re.MatchString(d) {
				return nil
			}
		}
		return fmt.Errorf("no %s matches %q; diagnostics were:\n%s", severity, pattern, strings.Join(r.diags, "\n"))
	}
}

type recordingServer struct {
	tfprotov6.ProviderServer
	recorder *diagRecorder
}

func (s *recordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateDataResourceConfig(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateResourceConfig(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}

func (s *recordingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	resp, err := s.ProviderServer.ConfigureProvider(ctx, req)
	if resp != nil {
		s.recorder.record(resp.Diagnostics)
	}
	return resp, err
}
