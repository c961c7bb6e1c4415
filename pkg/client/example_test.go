package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cldsync/cldsync/pkg/client"
)

func Example() {
	// A stand-in for the API (or the emulator): two users, then the end.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Get("page") == "1":
			fmt.Fprint(w, `{"users":[{"id":"u1","email":"ada@example.com"},{"id":"u2","email":"bob@example.com"}]}`)
		case r.Method == http.MethodGet:
			fmt.Fprint(w, `{"users":[]}`)
		default:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"error":{"message":"already exists"}}`)
		}
	}))
	defer srv.Close()

	c, err := client.New(
		client.WithCredentials("my-account", "my-key", "my-secret"),
		client.WithBaseURL(srv.URL),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	users, listing, err := c.Users.ListAll(ctx, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		fmt.Println(u.ID, u.Email)
	}
	fmt.Println("complete:", listing.Complete, "pages:", listing.Pages)

	_, err = c.UserGroups.Create(ctx, client.UserGroupRequest{Name: "Designers"})
	fmt.Println("conflict:", errors.Is(err, client.ErrConflict))
	// Output:
	// u1 ada@example.com
	// u2 bob@example.com
	// complete: true pages: 2
	// conflict: true
}
