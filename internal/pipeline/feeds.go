package pipeline

import (
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
)

// intelFeeds turns the configured feeds into the intel loader's form.
func intelFeeds(cfg *config.Config) []intel.Feed {
	feeds := make([]intel.Feed, 0, len(cfg.Intel.Feeds))
	for _, f := range cfg.Intel.Feeds {
		feed := intel.Feed{
			Name:        f.Name,
			Kind:        intel.Kind(f.Kind),
			Path:        f.Path,
			Reliability: f.Reliability,
		}
		if feed.Kind == intel.IPsum {
			feed.Threshold = cfg.Intel.IPsumMaliciousMin
		}
		feeds = append(feeds, feed)
	}
	return feeds
}

// IntelFeeds is intelFeeds for commands that load intel without an engine.
func IntelFeeds(cfg *config.Config) []intel.Feed { return intelFeeds(cfg) }
