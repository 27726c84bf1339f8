// Command bundlevalidate runs the operator-framework bundle validators on an OLM bundle
// directory: the default ones (`operator-sdk bundle validate DIR`) and the optional
// "operatorframework" suite (`--select-optional suite=operatorframework`). operator-sdk itself
// cannot be fetched from the Go module proxy, so this calls the library it delegates to,
// github.com/operator-framework/api/pkg/validation, the same way. The multi-architecture
// validator is left out: it pulls the operator image with docker or podman.
//
// Usage: bundlevalidate [-k8s-version 1.30] BUNDLE_DIR
// Prints one line per finding ("ERROR|WARN <manifest>: <detail>") and exits 1 on any error.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	interfaces "github.com/operator-framework/api/pkg/validation/interfaces"
)

func main() {
	k8s := flag.String("k8s-version", "", "Kubernetes version the bundle targets (deprecated-API checks)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bundlevalidate [-k8s-version X.Y] BUNDLE_DIR")
		os.Exit(2)
	}
	bundle, err := manifests.GetBundleFromDir(filepath.Join(flag.Arg(0), "manifests"))
	if err != nil || bundle == nil {
		fmt.Fprintf(os.Stderr, "ERROR bundle: cannot load %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	objs := bundle.ObjectsToValidate()
	for _, obj := range bundle.Objects {
		objs = append(objs, obj)
	}
	optional := map[string]string{}
	if *k8s != "" {
		optional["k8s-version"] = *k8s
	}
	objs = append(objs, optional)
	suite := interfaces.Validators{
		validation.OperatorHubV2Validator,
		validation.StandardCapabilitiesValidator,
		validation.StandardCategoriesValidator,
		validation.GoodPracticesValidator,
		validation.AlphaDeprecatedAPIsValidator,
		validation.ObjectValidator,
	}
	failed := false
	for _, result := range validation.DefaultBundleValidators.WithValidators(suite...).Validate(objs...) {
		for _, e := range result.Errors {
			failed = true
			fmt.Printf("ERROR %s: %s\n", result.Name, e.Error())
		}
		for _, w := range result.Warnings {
			fmt.Printf("WARN %s: %s\n", result.Name, w.Error())
		}
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("bundle valid")
}
