// vcluster-translate-oracle answers with the host names the vcluster syncer's own code gives virtual
// objects, so test/integration/translate.test.ts can hold src/vcluster/translate.ts to them.
// Built by scripts/lib/localBuild.mjs with the other local binaries, in the module test/env/go that
// requires github.com/loft-sh/vcluster at the pinned version; nothing here reimplements vcluster:
// every answer comes from its functions.
//
// Reads JSON lines {"name","namespace","vcluster","hostNamespace"} on stdin and writes one JSON line
// {"host","cluster","short"} per input line, in order.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/loft-sh/vcluster/pkg/util/translate"
)

type query struct {
	Name          string `json:"name"`
	Namespace     string `json:"namespace"`
	VCluster      string `json:"vcluster"`
	HostNamespace string `json:"hostNamespace"`
}

type answer struct {
	Host    string `json:"host"`
	Cluster string `json:"cluster"`
	Short   string `json:"short"`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	for line := 1; in.Scan(); line++ {
		var q query
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			fmt.Fprintf(os.Stderr, "line %d: %v\n", line, err)
			os.Exit(2)
		}
		// The syncer sets this package variable once at start; the methods below read it.
		translate.VClusterName = q.VCluster
		translator := translate.NewSingleNamespaceTranslator(q.HostNamespace)
		result := answer{
			Host:    translate.SingleNamespaceHostName(q.Name, q.Namespace, q.VCluster),
			Cluster: translator.HostNameCluster(q.Name),
			// The sync context is only handed on to HostNamespace, which ignores it, so nil is
			// enough to run the syncer's own method rather than a copy of its expression.
			Short: translator.HostNameShort(nil, q.Name, q.Namespace).Name,
		}
		if err := encoder.Encode(result); err != nil {
			fmt.Fprintf(os.Stderr, "line %d: %v\n", line, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin: %v\n", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "writing stdout: %v\n", err)
		os.Exit(1)
	}
}
