export interface DemoUser {
  sub: string;
  username: string;
  password: string;
  email: string;
  emailVerified: boolean;
  name: string;
  /** How the demo IdP says it authenticated this user (the ID token's `amr`); none when absent. */
  amr?: readonly string[];
}

/** The user `npm start` offers. The login page shows these credentials: this provider is for demos only. */
export const demoUser: DemoUser = Object.freeze({
  sub: 'demo-user-1',
  username: 'demo',
  password: 'demo-password',
  email: 'demo.user@example.com',
  emailVerified: true,
  name: 'Demo User',
});
